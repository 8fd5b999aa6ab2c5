-- purpose: Every KPI over report weeks from the write-back table kpi_history, with its
--   week-over-week change. The change compares with the week immediately before (its week_end is
--   this week's week_start) computed with the same settings (report currency, margin, time zone,
--   methods: the settings column); a week that was not run, whose value was withheld by a guard,
--   or that was computed with other settings gives no change rather than a misleading one. The
--   weekly job reads the scorecard's history with one call; add `where kpi = 'aov'` to follow one KPI.
-- grain: one row per KPI and report week in from_week..to_week
-- reads: kpi_history (week_id partitions up to to_week: the week before from_week is needed for
--   its change, and the table holds one small file per week)
-- parameters:
--   to_week varchar: last week shown, e.g. 2026-W47
--   from_week varchar: first week shown
-- columns:
--   kpi varchar: KPI key, as in docs/metrics.md (e.g. aov, churn_rate, cac)
--   week_id varchar: ISO week of the report
--   week_start timestamp: start of the report week (UTC instant)
--   week_end timestamp: end of the report week, exclusive (UTC instant)
--   value double: the KPI's value; NULL when a guard withheld it
--   unit varchar: ratio, multiple, money, count, months or orders
--   guard varchar: why the value is NULL or capped, if it is
--   settings varchar: JSON of the settings the value was computed with; NULL for rows written before they were recorded
--   report_currency varchar: currency of money values; NULL for rows written before it was recorded
--   previous_value double: the value of the week immediately before (NULL when not available)
--   wow_change double: value - previous_value
--   wow_relative_change double: wow_change / |previous_value| (NULL when previous_value is 0)
with

history as (
    select
        kpi,
        week_id,
        week_start,
        week_end,
        value,
        unit,
        guard,
        settings,
        report_currency
    from kpi_history
    where week_id <= ?
),

with_week_before as (
    select
        *,
        lag(week_end) over (partition by kpi, settings order by week_id) as earlier_week_end,
        lag(value) over (partition by kpi, settings order by week_id) as earlier_value
    from history
),

with_previous as (
    select
        *,
        case when earlier_week_end = week_start then earlier_value end as previous_value
    from with_week_before
),

final as (
    select
        kpi,
        week_id,
        week_start,
        week_end,
        value,
        unit,
        guard,
        settings,
        report_currency,
        previous_value,
        value - previous_value as wow_change,
        (value - previous_value) / nullif(abs(previous_value), 0) as wow_relative_change
    from with_previous
    where week_id >= ?
)

select * from final
order by kpi, week_id
