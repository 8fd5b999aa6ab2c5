-- purpose: The latest per-customer CLV scores for analysts, from the write-back table clv_scores:
--   for each CLV method, the scores of the latest report week up to up_to_week that has scores
--   for it (a week whose model could not be fitted has none, so the week before stands), ranked
--   by CLV within the method.
-- grain: one row per method and customer
-- reads: clv_scores (week_id partitions up to up_to_week)
-- parameters:
--   up_to_week varchar: latest report week to consider, e.g. 2026-W47
--   up_to_week varchar: (repeated)
-- columns:
--   week_id varchar: report week the scores are from
--   method varchar: CLV method (see docs/metrics.md)
--   customer_id varchar: customer key
--   clv double: CLV in the report currency
--   expected_purchases double: expected purchases over the horizon, when the method predicts them
--   p_alive double: probability the customer is still active, when the method estimates it (1 for
--     every one-time buyer under BG/NBD: read it with days_since_last_purchase)
--   days_since_last_purchase double: whole days from the last purchase day to the last observed
--     day; NULL in weeks written before it was recorded
--   spend_basis varchar: own, or the population mean for no_repeats, no_fx_rate, not_positive;
--     NULL in weeks written before it was recorded
--   mrr double: sbg only: the subscriber's MRR at the week's end (NULL without an fx rate)
--   renewals double: sbg only: monthly renewals known by the last complete month
--   residual_months double: sbg only: discounted months of payment expected over the horizon
--   clv_rank bigint: 1 = highest CLV within the method (ties by customer_id)
with

latest_weeks as (
    select
        method,
        max(week_id) as week_id
    from clv_scores
    where week_id <= ?
    group by method
),

scores as (
    select
        week_id,
        method,
        customer_id,
        clv,
        expected_purchases,
        p_alive,
        days_since_last_purchase,
        spend_basis,
        mrr,
        renewals,
        residual_months
    from clv_scores
    where week_id <= ?
),

final as (
    select
        scores.week_id,
        scores.method,
        scores.customer_id,
        scores.clv,
        scores.expected_purchases,
        scores.p_alive,
        scores.days_since_last_purchase,
        scores.spend_basis,
        scores.mrr,
        scores.renewals,
        scores.residual_months,
        row_number() over (
            partition by scores.method
            order by scores.clv desc nulls last, scores.customer_id
        ) as clv_rank
    from scores
    inner join latest_weeks
        on latest_weeks.method = scores.method
        and latest_weeks.week_id = scores.week_id
)

select * from final
order by method, clv_rank
