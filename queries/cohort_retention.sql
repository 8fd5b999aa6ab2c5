-- purpose: The cohort retention matrix: monthly acquisition cohorts by month offset, every month
--   from the acquisition month to the month holding the last instant before data_end (the last
--   one is month-to-date), with the customers active in the month, customer retention, net
--   revenue, revenue retention against month 0 and cumulative revenue per cohort customer.
--   A customer is acquired at the earlier of their first paid order and first subscription
--   start, and is active in a month with a paid order in it or a subscription running during
--   part of it. Months are UTC calendar months, as in cohort_revenue.
-- grain: one row per cohort_month and month_offset, months without activity included
-- reads: orders (order_month partitions up to to_month), subscriptions, fx_rates
-- parameters:
--   to_month varchar: last order_month partition to read (month of the last instant before data_end)
--   data_end timestamp: orders at or after it are not read
--   data_end timestamp: (repeated) subscriptions starting at or after it are not read
--   report_currency varchar: ISO code revenue is reported in (rates into it)
--   report_currency varchar: (repeated) orders already in the report currency
--   report_currency varchar: (repeated) orders needing conversion
--   data_end timestamp: (repeated) months starting at or after it are not shown
-- columns:
--   cohort_month date: first day of the acquisition month
--   month_offset bigint: months since the acquisition month (0 = acquisition month)
--   cohort_size bigint: customers acquired in cohort_month
--   active_customers bigint: cohort customers active in the month
--   customer_retention double: active_customers / cohort_size
--   net_revenue decimal(38,4): the cohort's net revenue in the month, report currency
--   revenue_retention double: net_revenue / the cohort's month-0 net_revenue (NULL when that is 0)
--   cumulative_net_revenue decimal(38,4): the cohort's net revenue from month 0 through this month
--   cumulative_revenue_per_customer double: cumulative_net_revenue / cohort_size
--   unconverted_orders bigint: the cohort's paid orders in the month left out of net_revenue (no fx rate)
with

paid_orders as (
    select
        -- ids
        customer_id,
        -- amounts
        currency,
        amount - coalesce(refunded_amount, 0) as net_amount,
        -- timestamps
        ordered_at
    from orders
    where order_month <= ?
        and ordered_at < ?
        and status = 'paid'
        and amount - coalesce(refunded_amount, 0) > 0
),

started_subscriptions as (
    select
        customer_id,
        started_at,
        ended_at
    from subscriptions
    where started_at < ?
),

first_events as (
    select customer_id, ordered_at as event_at from paid_orders
    union all
    select customer_id, started_at as event_at from started_subscriptions
),

cohorts as (
    select
        customer_id,
        date_trunc('month', min(event_at)) as cohort_start
    from first_events
    group by customer_id
),

cohort_sizes as (
    select
        cohort_start,
        count(*) as cohort_size
    from cohorts
    group by cohort_start
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

-- Every paid order with its net amount in the report currency; NULL when it has no rate for
-- its day (counted in unconverted_orders, left out of net_revenue).
valued_orders as (
    select customer_id, ordered_at, net_amount
    from paid_orders
    where currency = ?
    union all
    select
        paid_orders.customer_id,
        paid_orders.ordered_at,
        -- Exact on both engines. DuckDB multiplies two DECIMAL(18) values in 64 bits, as a
        -- DECIMAL(18, 14) that overflows from 10^4: larger products are widened to 128 bits
        -- first, smaller ones are not, as rounding a 128-bit product is ~70 times slower.
        case
            when abs(cast(paid_orders.net_amount as double) * cast(rates.rate as double)) < 9999
                then cast(paid_orders.net_amount * rates.rate as decimal(18, 4))
            else cast(cast(paid_orders.net_amount as decimal(38, 4)) * rates.rate as decimal(18, 4))
        end as net_amount
    from paid_orders
    left join rates
        on rates.from_currency = paid_orders.currency
        and rates.rate_date = cast(paid_orders.ordered_at as date)
    where paid_orders.currency <> ?
),

-- 0..999 month offsets (83 years) from a digits table: `sequence` and bare `VALUES 1, 2` differ
-- between the engines, a cross join of one-column rows does not.
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

-- Every month from the first cohort's to the last one begun before data_end, so that months
-- without any order still get a row (a subscription can keep a customer active through them).
calendar_months as (
    select first_cohort.cohort_start + interval '1' month * month_numbers.n as month_start
    from (select min(cohort_start) as cohort_start from cohort_sizes) as first_cohort
    cross join month_numbers
),

calendar as (
    select
        month_start,
        month_start + interval '1' month as month_end
    from calendar_months
    where month_start < ?
),

-- What makes a customer active in a month, one row per paid order or subscription month:
-- orders carry their revenue, and a marker when unconverted.
month_activity as (
    select
        customer_id,
        date_trunc('month', ordered_at) as month_start,
        net_amount,
        case when net_amount is null then 1 end as unconverted_order
    from valued_orders
    union all
    select
        started_subscriptions.customer_id,
        calendar.month_start,
        cast(null as decimal(18, 4)) as net_amount,
        cast(null as integer) as unconverted_order
    from started_subscriptions
    inner join calendar
        on started_subscriptions.started_at < calendar.month_end
        and (started_subscriptions.ended_at is null or started_subscriptions.ended_at > calendar.month_start)
),

-- Active customers are counted distinct per cohort and month straight from the activity rows:
-- on DuckDB that is cheaper than first grouping the rows into one per customer and month
-- (at scale 16M rows into 10M groups, the query's largest cost).
cohort_months as (
    select
        cohorts.cohort_start,
        month_activity.month_start,
        count(distinct month_activity.customer_id) as active_customers,
        sum(month_activity.net_amount) as net_revenue,
        cast(count(month_activity.unconverted_order) as bigint) as unconverted_orders
    from month_activity
    inner join cohorts
        on cohorts.customer_id = month_activity.customer_id
    group by cohorts.cohort_start, month_activity.month_start
),

matrix as (
    select
        cohort_sizes.cohort_start,
        cast(
            (year(calendar.month_start) - year(cohort_sizes.cohort_start)) * 12
            + (month(calendar.month_start) - month(cohort_sizes.cohort_start))
            as bigint
        ) as month_offset,
        cohort_sizes.cohort_size,
        coalesce(cohort_months.active_customers, 0) as active_customers,
        coalesce(cohort_months.net_revenue, 0) as net_revenue,
        coalesce(cohort_months.unconverted_orders, 0) as unconverted_orders
    from cohort_sizes
    inner join calendar
        on calendar.month_start >= cohort_sizes.cohort_start
    left join cohort_months
        on cohort_months.cohort_start = cohort_sizes.cohort_start
        and cohort_months.month_start = calendar.month_start
),

matrix_with_totals as (
    select
        *,
        sum(case when month_offset = 0 then net_revenue end) over (partition by cohort_start) as month_zero_revenue,
        sum(net_revenue) over (
            partition by cohort_start
            order by month_offset
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue
    from matrix
),

final as (
    select
        cast(cohort_start as date) as cohort_month,
        month_offset,
        cohort_size,
        active_customers,
        cast(active_customers as double) / nullif(cast(cohort_size as double), 0) as customer_retention,
        net_revenue,
        cast(net_revenue as double) / nullif(cast(month_zero_revenue as double), 0) as revenue_retention,
        cumulative_net_revenue,
        cast(cumulative_net_revenue as double) / nullif(cast(cohort_size as double), 0) as cumulative_revenue_per_customer,
        unconverted_orders
    from matrix_with_totals
)

select * from final
order by cohort_month, month_offset
