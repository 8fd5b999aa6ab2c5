-- purpose: The model report card over report weeks, from the write-back table model_accuracy:
--   each forecaster's whole-holdout metrics (MAE, RMSE, aggregate error, normalized Gini,
--   Spearman, decile MAPE, Brier score) per week, with the purchase model's margin over the
--   better of the two simple rules on the same metric and week (docs/metrics.md, "Model report
--   card"). The per-part rows (deciles, reliability bands, tracking weeks) stay in the table:
--   select them with `where part is not null`.
-- grain: one row per report week, forecaster and metric in from_week..to_week
-- reads: model_accuracy (week_id partitions up to to_week)
-- parameters:
--   to_week varchar: last week shown, e.g. 2026-W47
--   from_week varchar: first week shown
-- columns:
--   week_id varchar: ISO week of the report
--   model varchar: bgnbd (the purchase model), naive or hiatus (the simple rules)
--   metric varchar: mae, rmse, aggregate_error, relative_aggregate_error, normalized_gini,
--     spearman, decile_mape or brier
--   value double: the metric; NULL when a guard withheld it
--   guard varchar: why value is NULL, if it is
--   customers double: customers the holdout check was run on
--   holdout_weeks double: length of the holdout in weeks
--   hiatus_days double: the hiatus rule's N
--   calibration_cutoff timestamp: end of the calibration period (UTC instant)
--   best_rule_value double: on the purchase model's rows, the better simple rule's value of the
--     metric (lower for errors, MAPE and Brier, higher for Gini and Spearman; the closer to 0
--     for the aggregate errors); NULL on the rules' own rows
--   best_rule varchar: which rule that is
with

card as (
    select
        week_id,
        model,
        metric,
        value,
        guard,
        customers,
        holdout_weeks,
        hiatus_days,
        calibration_cutoff
    from model_accuracy
    where week_id <= ?
        and week_id >= ?
        and part is null
),

rules as (
    select
        week_id,
        metric,
        model,
        value,
        row_number() over (
            partition by week_id, metric
            order by
                case
                    when metric in ('normalized_gini', 'spearman') then -value
                    when metric in ('aggregate_error', 'relative_aggregate_error') then abs(value)
                    else value
                end
        ) as rank_in_metric
    from card
    where model in ('naive', 'hiatus')
        and value is not null
),

final as (
    select
        card.week_id,
        card.model,
        card.metric,
        card.value,
        card.guard,
        card.customers,
        card.holdout_weeks,
        card.hiatus_days,
        card.calibration_cutoff,
        case when card.model not in ('naive', 'hiatus') then rules.value end as best_rule_value,
        case when card.model not in ('naive', 'hiatus') then rules.model end as best_rule
    from card
    left join rules
        on rules.week_id = card.week_id
        and rules.metric = card.metric
        and rules.rank_in_metric = 1
)

select * from final
order by week_id, metric, model
