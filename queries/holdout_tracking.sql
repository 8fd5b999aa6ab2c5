-- purpose: The holdout's repeat purchases day by day, for the tracking chart of the model
--   report card (docs/metrics.md, "Model report card"): the purchase days in the holdout
--   [cutoff, holdout_end) of the customers the holdout check is run on, those of
--   queries/model_input_tuples.sql (a paid order before the cut-off, no subscription started
--   before holdout_end). Purchases are UTC calendar days with a paid order, as there; a day
--   belongs to the holdout when its first paid order is at or after the cut-off. The days sum
--   to that query's holdout_purchases.
-- grain: one row per UTC day with a holdout purchase
-- reads: orders (order_month partitions up to to_month), subscriptions
-- parameters:
--   to_month varchar: last order_month partition to read (month of the last instant before holdout_end)
--   holdout_end timestamp: end of the holdout, exclusive: orders at or after it are not read
--   holdout_end timestamp: (repeated) subscriptions started at or after it do not exclude a customer
--   cutoff timestamp: end of the calibration period, exclusive
--   cutoff timestamp: (repeated) start of the holdout, inclusive
-- columns:
--   purchase_date date: UTC day of the purchases
--   purchases bigint: customers with a purchase that day (each a purchase day of theirs)
with

paid_orders as (
    select
        customer_id,
        ordered_at,
        cast(ordered_at as date) as purchase_date
    from orders
    where order_month <= ?
        and ordered_at < ?
        and status = 'paid'
        -- as in model_input_tuples: a fully refunded order was returned, not bought
        and (amount = 0 or amount - coalesce(refunded_amount, 0) > 0)
),

subscribers as (
    select distinct customer_id
    from subscriptions
    where started_at < ?
),

purchase_days as (
    select
        paid_orders.customer_id,
        paid_orders.purchase_date,
        min(paid_orders.ordered_at) as first_ordered_at
    from paid_orders
    left join subscribers
        on subscribers.customer_id = paid_orders.customer_id
    where subscribers.customer_id is null
    group by paid_orders.customer_id, paid_orders.purchase_date
),

calibration_customers as (
    select distinct customer_id
    from purchase_days
    where first_ordered_at < ?
),

final as (
    select
        purchase_days.purchase_date,
        count(*) as purchases
    from purchase_days
    inner join calibration_customers
        on calibration_customers.customer_id = purchase_days.customer_id
    where purchase_days.first_ordered_at >= ?
    group by purchase_days.purchase_date
)

select * from final
order by purchase_date
