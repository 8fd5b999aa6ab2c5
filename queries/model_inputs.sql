-- purpose: Per-customer inputs of the predictive CLV models (BG/NBD and Gamma-Gamma) at a
--   cut-off instant: repeat purchases, recency, first purchase day and the net value of the
--   repeat purchases in the report currency. A purchase is a UTC calendar day with at least one
--   paid order that was not fully refunded (several orders on one day are one purchase, as in
--   Fader-Hardie and lifetimes; a zero-amount order counts, with zero spend).
--   The models are non-contractual: customers with a subscription started before the cut-off
--   are left out (their invoices are orders, but a contract, not a purchase habit, drives them).
--   T is not returned: it is the time from first_purchase_date to the cut-off, which the caller
--   computes, so the cut-off appears only in WHERE (Athena binds parameters nowhere else). The
--   mean repeat spend is repeat_spend / frequency, also left to the caller so that both engines
--   divide the same exact sum the same way.
-- grain: one row per customer without a subscription and with a paid order before the cut-off
-- reads: orders (order_month partitions up to to_month), subscriptions, fx_rates
-- parameters:
--   to_month varchar: last order_month partition to read (month of the last instant before cutoff)
--   cutoff timestamp: end of the observation, exclusive: orders at or after it are not read
--   cutoff timestamp: (repeated) subscriptions started at or after it do not exclude a customer
--   report_currency varchar: ISO code repeat_spend is reported in (rates into it)
--   report_currency varchar: (repeated) orders already in the report currency
--   report_currency varchar: (repeated) orders needing conversion
-- columns:
--   customer_id varchar: customer key
--   frequency bigint: repeat purchases, i.e. purchase days after the first one (x)
--   recency_days bigint: days from the first to the last purchase day (t_x; 0 without repeats)
--   first_purchase_date date: UTC day of the first purchase; T = days from it to the UTC day of
--     the last instant before the cut-off
--   repeat_spend decimal(38,4): net amount of the orders on repeat purchase days, converted to
--     the report currency; complete only when unconverted_repeat_orders = 0
--   unconverted_repeat_orders bigint: orders on repeat days left out of repeat_spend (no fx rate)
with

paid_orders as (
    select
        -- ids
        customer_id,
        -- amounts
        currency,
        amount - coalesce(refunded_amount, 0) as net_amount,
        -- timestamps
        cast(ordered_at as date) as purchase_date
    from orders
    where order_month <= ?
        and ordered_at < ?
        and status = 'paid'
        -- a fully refunded order was returned, not bought; a zero-amount one (a free item,
        -- a promotion) is still a purchase, with zero spend
        and (amount = 0 or amount - coalesce(refunded_amount, 0) > 0)
),

subscribers as (
    select distinct customer_id
    from subscriptions
    where started_at < ?
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

-- net_amount is null for an order without a rate for its day: it counts as a purchase but
-- has no value in the report currency.
valued_orders as (
    select
        customer_id,
        purchase_date,
        net_amount
    from paid_orders
    where currency = ?
    union all
    select
        paid_orders.customer_id,
        paid_orders.purchase_date,
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
        and rates.rate_date = paid_orders.purchase_date
    where paid_orders.currency <> ?
),

purchase_days as (
    select
        valued_orders.customer_id,
        valued_orders.purchase_date,
        sum(valued_orders.net_amount) as day_amount,
        count(*) - count(valued_orders.net_amount) as unconverted_orders
    from valued_orders
    left join subscribers
        on subscribers.customer_id = valued_orders.customer_id
    where subscribers.customer_id is null
    group by valued_orders.customer_id, valued_orders.purchase_date
),

customer_purchases as (
    select
        customer_id,
        count(*) as purchase_days,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        sum(day_amount) as spend,
        sum(unconverted_orders) as unconverted_orders
    from purchase_days
    group by customer_id
),

-- Repeat purchases are all but the first day's: the first day's row, joined back, is taken off
-- the totals (cheaper than a per-customer window over every purchase day to find that day).
final as (
    select
        customer_purchases.customer_id,
        cast(customer_purchases.purchase_days - 1 as bigint) as frequency,
        cast(date_diff('day', customer_purchases.first_purchase_date, customer_purchases.last_purchase_date) as bigint) as recency_days,
        customer_purchases.first_purchase_date,
        coalesce(customer_purchases.spend, 0) - coalesce(first_day.day_amount, 0) as repeat_spend,
        cast(customer_purchases.unconverted_orders - first_day.unconverted_orders as bigint) as unconverted_repeat_orders
    from customer_purchases
    inner join purchase_days as first_day
        on first_day.customer_id = customer_purchases.customer_id
        and first_day.purchase_date = customer_purchases.first_purchase_date
)

select * from final
order by customer_id
