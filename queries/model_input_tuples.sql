-- purpose: The model inputs of queries/model_inputs.sql at a cut-off, compressed to distinct
--   (frequency, recency_days, first_purchase_date) tuples with customer counts, each split by
--   the customer's purchases in the holdout [cutoff, holdout_end) (holdout validation of the
--   purchase model: fit on the tuples, compare predicted with holdout_purchases). With
--   holdout_end = cutoff every holdout_purchases is 0 and the rows are the plain tuples.
--   Purchases are UTC calendar days with a paid order, as in model_inputs; a day belongs to
--   the holdout when its first paid order is at or after the cut-off. Customers whose first
--   purchase falls in the holdout are not in any row, nor are customers with a subscription
--   started before holdout_end (the models are non-contractual, as in model_inputs).
-- grain: one row per distinct frequency, recency_days, first_purchase_date and holdout_purchases
-- reads: orders (order_month partitions up to to_month), subscriptions
-- parameters:
--   to_month varchar: last order_month partition to read (month of the last instant before holdout_end)
--   holdout_end timestamp: end of the holdout, exclusive: orders at or after it are not read
--   holdout_end timestamp: (repeated) subscriptions started at or after it do not exclude a customer
--   cutoff timestamp: end of the calibration period, exclusive
--   cutoff timestamp: (repeated) start of the holdout, inclusive
-- columns:
--   frequency bigint: repeat purchases before the cut-off (x)
--   recency_days bigint: days from the first to the last purchase day before the cut-off (t_x)
--   first_purchase_date date: UTC day of the first purchase; T = days from it to the UTC day of
--     the last instant before the cut-off
--   holdout_purchases bigint: purchase days in the holdout
--   customers bigint: customers with this tuple
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
        -- a fully refunded order was returned, not bought; a zero-amount one (a free item,
        -- a promotion) is still a purchase, with zero spend
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

calibration as (
    select
        customer_id,
        cast(count(*) - 1 as bigint) as frequency,
        cast(date_diff('day', min(purchase_date), max(purchase_date)) as bigint) as recency_days,
        min(purchase_date) as first_purchase_date
    from purchase_days
    where first_ordered_at < ?
    group by customer_id
),

holdout as (
    select
        customer_id,
        count(*) as holdout_purchases
    from purchase_days
    where first_ordered_at >= ?
    group by customer_id
),

final as (
    select
        calibration.frequency,
        calibration.recency_days,
        calibration.first_purchase_date,
        coalesce(holdout.holdout_purchases, 0) as holdout_purchases,
        count(*) as customers
    from calibration
    left join holdout
        on holdout.customer_id = calibration.customer_id
    group by
        calibration.frequency,
        calibration.recency_days,
        calibration.first_purchase_date,
        coalesce(holdout.holdout_purchases, 0)
)

select * from final
order by first_purchase_date, frequency, recency_days, holdout_purchases
