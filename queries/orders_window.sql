-- purpose: Order KPI inputs for one time window: paid orders, purchasing and repeat customers,
--   and net revenue in the report currency (AOV, purchase frequency, repeat purchase rate, ARPU).
-- grain: one row for the window
-- reads: orders (order_month partitions from_month..to_month), fx_rates
-- parameters:
--   from_month varchar: first order_month partition to read (month of window_start)
--   to_month varchar: last order_month partition to read (month of the last instant before window_end)
--   window_start timestamp: start of the window, inclusive (UTC instant)
--   window_end timestamp: end of the window, exclusive (UTC instant)
--   report_currency varchar: ISO code the money columns are reported in (used four times:
--     orders already in it, rates into it, orders converted, orders with no rate)
--   report_currency varchar: (repeated)
--   report_currency varchar: (repeated)
--   report_currency varchar: (repeated)
-- columns:
--   paid_orders bigint: orders with status paid and positive net amount, in any currency
--   purchasing_customers bigint: distinct customers with at least one paid order
--   repeat_customers bigint: customers with two or more paid orders
--   net_revenue decimal(38,4): amount - refunded_amount of paid orders, in the report currency
--   unconverted_orders bigint: paid orders left out of net_revenue because no fx rate was found
with

paid_orders as (
    select
        -- ids
        order_id,
        customer_id,
        -- amounts
        currency,
        amount - coalesce(refunded_amount, 0) as net_amount,
        -- timestamps
        ordered_at
    from orders
    where order_month between ? and ?
        and ordered_at >= ?
        and ordered_at < ?
        and status = 'paid'
        and amount - coalesce(refunded_amount, 0) > 0
),

in_report_currency as (
    select
        order_id,
        net_amount
    from paid_orders
    where currency = ?
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

converted as (
    select
        paid_orders.order_id,
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

unconverted as (
    select
        paid_orders.order_id
    from paid_orders
    left join rates
        on rates.from_currency = paid_orders.currency
        and rates.rate_date = cast(paid_orders.ordered_at as date)
    where rates.rate is null
        and paid_orders.currency <> ?
),

revenue as (
    select net_amount from in_report_currency
    union all
    select net_amount from converted
),

orders_per_customer as (
    select
        customer_id,
        count(*) as paid_orders
    from paid_orders
    group by customer_id
),

final as (
    select
        (select count(*) from paid_orders) as paid_orders,
        (select count(*) from orders_per_customer) as purchasing_customers,
        (select count(*) from orders_per_customer where paid_orders >= 2) as repeat_customers,
        (select coalesce(sum(net_amount), 0) from revenue) as net_revenue,
        (select count(*) from unconverted) as unconverted_orders
)

select * from final
