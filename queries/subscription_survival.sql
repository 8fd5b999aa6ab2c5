-- purpose: Monthly survival of subscription acquisition cohorts, the shifted-beta-geometric
--   model's input (docs/metrics.md, method 5): for each cohort and each month since acquisition
--   that has ended by data_end, how many of the cohort still pay. A customer is acquired in the
--   month of their first paying subscription (mrr above 0) and pays at a month's end when a
--   paying subscription runs at its last instant, as in mrr_movements. They survive period t
--   when they pay at the end of every month from the acquisition month through month t after
--   it, so period t counts t monthly renewals; the first month's end without one ends their
--   lifetime (a lapse in or right after the acquisition month is a loss in period 1). The model
--   has no return from churn: a customer who pays again after their first lapse stays lost and
--   is counted in returned_after_lapse. Months are UTC calendar months.
-- grain: one row per cohort_month and period, from period 0 to the last month complete by
--   data_end; cohorts whose acquisition month has not ended are left out
-- reads: subscriptions
-- parameters:
--   data_end timestamp: subscriptions starting at or after it are not read
--   data_end timestamp: (repeated) the last complete month is the one before the month holding it
--   data_end timestamp: (repeated) periods of months ending after it are not shown
-- columns:
--   cohort_month date: first day of the acquisition month
--   period bigint: months after the acquisition month (0 = the cohort as acquired)
--   cohort_size bigint: customers acquired in cohort_month
--   survivors bigint: of them, those paying at the end of every month through month `period`
--     (cohort_size at period 0)
--   returned_after_lapse bigint: of the cohort, those who lapsed by the last complete month and
--     paid again later (the same in every row of the cohort)
with

paying_subscriptions as (
    select
        customer_id,
        date_trunc('month', started_at) as first_month,
        date_trunc('month', ended_at) as end_month
    from subscriptions
    where started_at < ?
        and mrr > 0
),

acquisitions as (
    select
        customer_id,
        min(first_month) as cohort_month
    from paying_subscriptions
    group by customer_id
),

-- 0..999 months and periods from a digits table, as in mrr_movements.
digits as (
    select d
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digits (d)
),

period_numbers as (
    select hundreds.d * 100 + tens.d * 10 + ones.d as n
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones
),

-- The last month ended by data_end, from a calendar (parameters go only into WHERE clauses).
last_complete_month as (
    select max(calendar.month_start) as month_start
    from (
        select first_month.month_start + interval '1' month * period_numbers.n as month_start
        from (select min(first_month) as month_start from paying_subscriptions) as first_month
        cross join period_numbers
    ) as calendar
    where calendar.month_start + interval '1' month <= ?
),

-- Paying at a month's end: from the month a subscription starts in up to, not including, the
-- month it ends in (as in mrr_movements), so the count of paying subscriptions changes only in
-- those months. A subscription that starts and ends within one month never runs at a month's end.
paying_changes as (
    select
        customer_id,
        first_month as month_start,
        1 as change
    from paying_subscriptions
    where end_month is null
        or end_month > first_month
    union all
    select
        customer_id,
        end_month as month_start,
        -1 as change
    from paying_subscriptions
    where end_month > first_month
),

paying_counts as (
    select
        customer_id,
        month_start,
        sum(change) over (
            partition by customer_id
            order by month_start
            rows between unbounded preceding and current row
        ) as paying
    from (
        select
            customer_id,
            month_start,
            sum(change) as change
        from paying_changes
        group by customer_id, month_start
    ) as net_changes
),

-- The first month at whose end the customer pays nothing: the acquisition month itself when no
-- subscription runs at its end, else the first change that brings the count back to 0.
first_lapses as (
    select
        acquisitions.customer_id,
        acquisitions.cohort_month,
        case
            when bool_or(paying_counts.month_start = acquisitions.cohort_month and paying_counts.paying > 0)
                then min(case when paying_counts.paying = 0 then paying_counts.month_start end)
            else acquisitions.cohort_month
        end as lapse_month
    from acquisitions
    left join paying_counts
        on paying_counts.customer_id = acquisitions.customer_id
    group by acquisitions.customer_id, acquisitions.cohort_month
),

lifetimes as (
    select
        first_lapses.customer_id,
        first_lapses.cohort_month,
        first_lapses.lapse_month,
        case
            when first_lapses.lapse_month <= last_complete_month.month_start
                and first_lapses.lapse_month = first_lapses.cohort_month
                then 1
            when first_lapses.lapse_month <= last_complete_month.month_start
                then (year(first_lapses.lapse_month) - year(first_lapses.cohort_month)) * 12
                    + month(first_lapses.lapse_month) - month(first_lapses.cohort_month)
        end as lost_in_period
    from first_lapses
    cross join last_complete_month
),

returned_customers as (
    select distinct lifetimes.customer_id
    from lifetimes
    inner join paying_counts
        on paying_counts.customer_id = lifetimes.customer_id
        and paying_counts.month_start > lifetimes.lapse_month
        and paying_counts.paying > 0
    where lifetimes.lost_in_period is not null
),

cohorts as (
    select
        lifetimes.cohort_month,
        count(*) as cohort_size,
        count(returned_customers.customer_id) as returned_after_lapse
    from lifetimes
    left join returned_customers
        on returned_customers.customer_id = lifetimes.customer_id
    group by lifetimes.cohort_month
),

losses as (
    select
        cohort_month,
        lost_in_period,
        count(*) as lost
    from lifetimes
    where lost_in_period is not null
    group by cohort_month, lost_in_period
),

cohort_periods as (
    select
        cohorts.cohort_month,
        period_numbers.n as period,
        cohorts.cohort_size,
        cohorts.returned_after_lapse
    from cohorts
    cross join period_numbers
    where cohorts.cohort_month + interval '1' month * (period_numbers.n + 1) <= ?
),

final as (
    select
        cast(cohort_periods.cohort_month as date) as cohort_month,
        cast(cohort_periods.period as bigint) as period,
        cast(cohort_periods.cohort_size as bigint) as cohort_size,
        cast(cohort_periods.cohort_size - coalesce(sum(losses.lost), 0) as bigint) as survivors,
        cast(cohort_periods.returned_after_lapse as bigint) as returned_after_lapse
    from cohort_periods
    left join losses
        on losses.cohort_month = cohort_periods.cohort_month
        and losses.lost_in_period <= cohort_periods.period
    group by cohort_periods.cohort_month, cohort_periods.period, cohort_periods.cohort_size, cohort_periods.returned_after_lapse
)

select * from final
order by cohort_month, period
