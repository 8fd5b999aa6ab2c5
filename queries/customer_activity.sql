-- purpose: Customers active at the start and at the end of a window, and those active at both
--   (retention and churn). A customer with any subscription is active while a subscription
--   runs (started_at <= t < ended_at); any other customer is active at t when they have a paid
--   order in the activity window before t.
-- grain: one row for the window
-- reads: orders (order_month partitions from_month..to_month), subscriptions
-- parameters:
--   from_month varchar: first order_month partition to read (month of start_activity_from)
--   to_month varchar: last order_month partition to read (month of window_end)
--   window_start timestamp: t at the start: subscription started at or before it
--   window_start timestamp: (repeated) and not ended by it
--   window_end timestamp: t at the end: subscription started at or before it
--   window_end timestamp: (repeated) and not ended by it
--   start_activity_from timestamp: window_start minus the activity window
--   window_start timestamp: (repeated) end of the activity window before window_start
--   end_activity_from timestamp: window_end minus the activity window
--   window_end timestamp: (repeated) end of the activity window before window_end
-- columns:
--   active_at_start bigint: customers active at window_start
--   active_at_end bigint: customers active at window_end
--   retained bigint: customers active at both window_start and window_end
--   subscribers_active_at_start bigint: of active_at_start, those judged by subscriptions
with

paid_orders as (
    select
        customer_id,
        ordered_at
    from orders
    where order_month between ? and ?
        and status = 'paid'
        and amount - coalesce(refunded_amount, 0) > 0
),

subscribers as (
    select distinct customer_id
    from subscriptions
),

subscribed_at_start as (
    select distinct customer_id
    from subscriptions
    where started_at <= ?
        and (ended_at is null or ended_at > ?)
),

subscribed_at_end as (
    select distinct customer_id
    from subscriptions
    where started_at <= ?
        and (ended_at is null or ended_at > ?)
),

purchased_before_start as (
    select distinct customer_id
    from paid_orders
    where ordered_at >= ?
        and ordered_at < ?
),

purchased_before_end as (
    select distinct customer_id
    from paid_orders
    where ordered_at >= ?
        and ordered_at < ?
),

active_at_start as (
    select customer_id from subscribed_at_start
    union
    select purchased_before_start.customer_id
    from purchased_before_start
    left join subscribers
        on subscribers.customer_id = purchased_before_start.customer_id
    where subscribers.customer_id is null
),

active_at_end as (
    select customer_id from subscribed_at_end
    union
    select purchased_before_end.customer_id
    from purchased_before_end
    left join subscribers
        on subscribers.customer_id = purchased_before_end.customer_id
    where subscribers.customer_id is null
),

final as (
    select
        (select count(*) from active_at_start) as active_at_start,
        (select count(*) from active_at_end) as active_at_end,
        (
            select count(*)
            from active_at_start
            inner join active_at_end
                on active_at_end.customer_id = active_at_start.customer_id
        ) as retained,
        (select count(*) from subscribed_at_start) as subscribers_active_at_start
)

select * from final
