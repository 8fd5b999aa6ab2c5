-- purpose: Monthly acquisition cohorts by month offset: cohort size, customers with a paid
--   order in the month, and net revenue in the report currency (cohort retention and the
--   historical cohort CLV). Months are UTC calendar months.
-- grain: one row per cohort_month and month_offset that has paid orders, and month 0 of every
--   cohort, also one acquired by a subscription start with no paid order (0 customers, 0
--   revenue), so the cohorts and their sizes are those of cohort_retention
-- reads: orders (order_month partitions up to to_month), subscriptions, fx_rates
-- parameters:
--   to_month varchar: last order_month partition to read (month of the last instant before data_end)
--   data_end timestamp: orders at or after it are not read
--   data_end timestamp: (repeated) subscriptions starting at or after it are not read
--   report_currency varchar: ISO code revenue is reported in
--   report_currency varchar: (repeated) orders already in the report currency
--   report_currency varchar: (repeated) orders needing conversion
-- columns:
--   cohort_month date: first day of the acquisition month
--   month_offset bigint: months since the acquisition month (0 = acquisition month)
--   cohort_size bigint: customers acquired in cohort_month
--   active_customers bigint: cohort customers with a paid order in that month
--   net_revenue decimal(38,4): their net revenue in that month, report currency
with

paid_orders as (
    select
        order_id,
        customer_id,
        currency,
        amount - coalesce(refunded_amount, 0) as net_amount,
        ordered_at
    from orders
    where order_month <= ?
        and ordered_at < ?
        and status = 'paid'
        and amount - coalesce(refunded_amount, 0) > 0
),

first_events as (
    select customer_id, ordered_at as event_at from paid_orders
    union all
    select customer_id, started_at as event_at
    from subscriptions
    where started_at < ?
),

acquisitions as (
    select
        customer_id,
        min(event_at) as acquired_at
    from first_events
    group by customer_id
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

revenue as (
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
    inner join rates
        on rates.from_currency = paid_orders.currency
        and rates.rate_date = cast(paid_orders.ordered_at as date)
    where paid_orders.currency <> ?
),

cohorts as (
    select
        customer_id,
        acquired_at,
        cast(date_trunc('month', acquired_at) as date) as cohort_month
    from acquisitions
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_size
    from cohorts
    group by cohort_month
),

monthly as (
    select
        cohorts.cohort_month,
        (year(revenue.ordered_at) - year(cohorts.acquired_at)) * 12
            + (month(revenue.ordered_at) - month(cohorts.acquired_at)) as month_offset,
        revenue.customer_id,
        revenue.net_amount
    from revenue
    inner join cohorts
        on cohorts.customer_id = revenue.customer_id
),

-- Grouped before cohort_sizes is joined, so the join meets one row per cohort and month
-- rather than one per order.
cohort_months as (
    select
        cohort_month,
        month_offset,
        count(distinct customer_id) as active_customers,
        sum(net_amount) as net_revenue
    from monthly
    group by cohort_month, month_offset
),

-- Month 0 of a cohort without paid orders in it: without it a cohort of subscribers who have
-- not been invoiced through orders would drop out of the cohort CLV, its customers uncounted.
empty_first_months as (
    select
        cohort_sizes.cohort_month,
        0 as month_offset,
        cast(0 as bigint) as active_customers,
        cast(0 as decimal(38, 4)) as net_revenue
    from cohort_sizes
    left join cohort_months
        on cohort_months.cohort_month = cohort_sizes.cohort_month
        and cohort_months.month_offset = 0
    where cohort_months.cohort_month is null
),

cells as (
    select cohort_month, month_offset, active_customers, net_revenue from cohort_months
    union all
    select cohort_month, month_offset, active_customers, net_revenue from empty_first_months
),

final as (
    select
        cells.cohort_month,
        cast(cells.month_offset as bigint) as month_offset,
        cohort_sizes.cohort_size,
        cells.active_customers,
        cells.net_revenue
    from cells
    inner join cohort_sizes
        on cohort_sizes.cohort_month = cells.cohort_month
)

select * from final
order by cohort_month, month_offset
