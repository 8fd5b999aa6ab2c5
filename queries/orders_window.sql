-- purpose: Order KPI inputs for one time window: paid orders, purchasing and repeat customers,
--   and net revenue in the report currency (AOV, purchase frequency, repeat purchase rate, ARPU),
--   split as churn_window splits customers: contractual customers (a subscription started before
--   window_end), whose orders are their subscriptions' invoices, and non-contractual ones (every
--   other customer), whose orders the purchase formula reads; 'all' is both together.
-- grain: one row per population: all, contractual, non_contractual (in that order)
-- reads: orders (order_month partitions from_month..to_month), subscriptions, fx_rates
-- parameters:
--   from_month varchar: first order_month partition to read (month of window_start)
--   to_month varchar: last order_month partition to read (month of the last instant before window_end)
--   window_start timestamp: start of the window, inclusive (UTC instant)
--   window_end timestamp: end of the window, exclusive (UTC instant)
--   window_end timestamp: (repeated) customers with a subscription started before it are contractual
--   report_currency varchar: ISO code the money columns are reported in (used four times:
--     orders already in it, rates into it, orders converted, orders with no rate)
--   report_currency varchar: (repeated)
--   report_currency varchar: (repeated)
--   report_currency varchar: (repeated)
-- columns:
--   population varchar: all, contractual or non_contractual
--   paid_orders bigint: orders with status paid and positive net amount, in any currency
--   purchasing_customers bigint: distinct customers with at least one paid order
--   repeat_customers bigint: customers with two or more paid orders
--   net_revenue decimal(38,4): amount - refunded_amount of paid orders, in the report currency
--   unconverted_orders bigint: paid orders left out of net_revenue because no fx rate was found
with

window_orders as (
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

contractual_customers as (
    select distinct customer_id
    from subscriptions
    where started_at < ?
),

-- Each order once under its customer's population and once under 'all'.
paid_orders as (
    select
        case when contractual_customers.customer_id is null then 'non_contractual' else 'contractual' end as population,
        window_orders.order_id,
        window_orders.customer_id,
        window_orders.currency,
        window_orders.net_amount,
        window_orders.ordered_at
    from window_orders
    left join contractual_customers
        on contractual_customers.customer_id = window_orders.customer_id
    union all
    select 'all' as population, order_id, customer_id, currency, net_amount, ordered_at
    from window_orders
),

in_report_currency as (
    select
        population,
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
        paid_orders.population,
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
        paid_orders.population,
        count(*) as unconverted_orders
    from paid_orders
    left join rates
        on rates.from_currency = paid_orders.currency
        and rates.rate_date = cast(paid_orders.ordered_at as date)
    where rates.rate is null
        and paid_orders.currency <> ?
    group by paid_orders.population
),

revenue as (
    select population, sum(net_amount) as net_revenue
    from (
        select population, net_amount from in_report_currency
        union all
        select population, net_amount from converted
    ) as valued
    group by population
),

orders_per_customer as (
    select
        population,
        customer_id,
        count(*) as paid_orders
    from paid_orders
    group by population, customer_id
),

customer_counts as (
    select
        population,
        sum(paid_orders) as paid_orders,
        count(*) as purchasing_customers,
        sum(case when paid_orders >= 2 then 1 else 0 end) as repeat_customers
    from orders_per_customer
    group by population
),

populations as (
    select population, display_order
    from (values ('all', 1), ('contractual', 2), ('non_contractual', 3)) as populations (population, display_order)
),

final as (
    select
        populations.display_order,
        populations.population,
        cast(coalesce(customer_counts.paid_orders, 0) as bigint) as paid_orders,
        cast(coalesce(customer_counts.purchasing_customers, 0) as bigint) as purchasing_customers,
        cast(coalesce(customer_counts.repeat_customers, 0) as bigint) as repeat_customers,
        coalesce(revenue.net_revenue, cast(0 as decimal(38, 4))) as net_revenue,
        cast(coalesce(unconverted.unconverted_orders, 0) as bigint) as unconverted_orders
    from populations
    left join customer_counts
        on customer_counts.population = populations.population
    left join revenue
        on revenue.population = populations.population
    left join unconverted
        on unconverted.population = populations.population
)

select
    population,
    paid_orders,
    purchasing_customers,
    repeat_customers,
    net_revenue,
    unconverted_orders
from final
order by display_order
