-- purpose: The subscribers the contractual model scores (docs/metrics.md, method 5): each
--   customer with a paying subscription (mrr above 0) running at `at`, as in subscriber_mrr,
--   with their MRR in the report currency (valued at the rate of each subscription's start day,
--   as mrr_movements values it), their acquisition month (the month of their first paying
--   subscription, as in subscription_survival) and the renewals the model conditions on: the
--   months from the acquisition month to the last complete month before `at`.
-- grain: one row per customer paying at `at`
-- reads: subscriptions, fx_rates
-- parameters:
--   at timestamp: the instant subscribers are taken at (the report week's end)
--   at timestamp: (repeated) and not ended by it
--   report_currency varchar: ISO code MRR is reported in (rates into it)
--   report_currency varchar: (repeated) subscriptions already in the report currency
--   report_currency varchar: (repeated) subscriptions needing conversion
--   report_currency varchar: (repeated) subscriptions without a rate
--   at timestamp: (repeated) the last complete month is the one before the month holding it
-- columns:
--   customer_id varchar: the subscriber
--   cohort_month date: first day of the month of their first paying subscription
--   renewals bigint: months from cohort_month to the last complete month before `at` (0 when
--     they were acquired in that month or later)
--   mrr decimal(38,4): their MRR at `at` in the report currency, converted subscriptions only
--   unconverted_subscriptions bigint: their running paying subscriptions left out of mrr (no fx rate)
with

running as (
    select
        customer_id,
        mrr,
        currency,
        started_at
    from subscriptions
    where started_at <= ?
        and (ended_at is null or ended_at > ?)
        and mrr > 0
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

valued as (
    select
        customer_id,
        mrr,
        0 as unconverted
    from running
    where currency = ?
    union all
    select
        running.customer_id,
        -- Exact on both engines, as in subscriber_mrr (DuckDB's 64-bit decimal products).
        case
            when abs(cast(running.mrr as double) * cast(rates.rate as double)) < 9999
                then cast(running.mrr * rates.rate as decimal(18, 4))
            else cast(cast(running.mrr as decimal(38, 4)) * rates.rate as decimal(18, 4))
        end as mrr,
        0 as unconverted
    from running
    inner join rates
        on rates.from_currency = running.currency
        and rates.rate_date = cast(running.started_at as date)
    where running.currency <> ?
    union all
    select
        running.customer_id,
        cast(0 as decimal(18, 4)) as mrr,
        1 as unconverted
    from running
    left join rates
        on rates.from_currency = running.currency
        and rates.rate_date = cast(running.started_at as date)
    where rates.rate is null
        and running.currency <> ?
),

subscribers as (
    select
        customer_id,
        sum(cast(mrr as decimal(38, 4))) as mrr,
        cast(sum(unconverted) as bigint) as unconverted_subscriptions
    from valued
    group by customer_id
),

acquisitions as (
    select
        customer_id,
        min(date_trunc('month', started_at)) as cohort_month
    from subscriptions
    where mrr > 0
        and customer_id in (select customer_id from subscribers)
    group by customer_id
),

-- 0..999 months from a digits table, as in mrr_movements.
digits as (
    select d
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digits (d)
),

month_numbers as (
    select hundreds.d * 100 + tens.d * 10 + ones.d as n
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones
),

-- The last month ended by `at`, from a calendar (parameters go only into WHERE clauses); NULL
-- when every subscriber was acquired in the month still running.
last_complete_month as (
    select max(calendar.month_start) as month_start
    from (
        select first_month.month_start + interval '1' month * month_numbers.n as month_start
        from (select min(cohort_month) as month_start from acquisitions) as first_month
        cross join month_numbers
    ) as calendar
    where calendar.month_start + interval '1' month <= ?
),

final as (
    select
        subscribers.customer_id,
        cast(acquisitions.cohort_month as date) as cohort_month,
        cast(
            case
                when last_complete_month.month_start is null
                    or acquisitions.cohort_month >= last_complete_month.month_start then 0
                else (year(last_complete_month.month_start) - year(acquisitions.cohort_month)) * 12
                    + month(last_complete_month.month_start) - month(acquisitions.cohort_month)
            end as bigint
        ) as renewals,
        subscribers.mrr,
        subscribers.unconverted_subscriptions
    from subscribers
    inner join acquisitions
        on acquisitions.customer_id = subscribers.customer_id
    cross join last_complete_month
)

select * from final
order by customer_id
