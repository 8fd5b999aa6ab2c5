-- purpose: Early churn of one past acquisition cohort (the scorecard's stage 2): of the customers
--   acquired in [acquired_from, acquired_until), the share who left early. A customer is acquired
--   at the earlier of their first paid order and first subscription start. Customers with a
--   subscription are judged by it: early churned when no paying one (mrr above 0) runs
--   cancel_days after acquisition (cancelled, or moved to a free plan, within cancel_days: MRR
--   movements count a fall to 0 MRR as churn too). Every other customer is early churned without a second paid
--   order before repeat_days after acquisition. Pass a cohort whose horizon has passed
--   (acquired_until + repeat_days <= data_end, e.g. acquired 90 to 62 days before the week's
--   end with repeat_days 60): the query does not check it. Days are 24-hour spans of UTC time.
-- grain: one row for the cohort
-- reads: orders (order_month partitions up to to_month: first orders need the history), subscriptions
-- parameters:
--   to_month varchar: last order_month partition to read (month of the last instant before data_end)
--   data_end timestamp: orders at or after it are not read
--   data_end timestamp: (repeated) subscriptions starting at or after it are not read
--   acquired_from timestamp: first acquisition instant of the cohort, inclusive
--   acquired_until timestamp: end of the cohort's acquisitions, exclusive
--   repeat_days bigint: days after acquisition a second paid order must come within
--   cancel_days bigint: days after acquisition a subscription must still run at
--   cancel_days bigint: (repeated)
-- columns:
--   acquired_customers bigint: customers acquired in the cohort window
--   order_customers bigint: of them, customers without a subscription (judged by orders)
--   without_second_order bigint: order customers with no second paid order within repeat_days
--   subscribers bigint: acquired customers with a subscription (judged by it)
--   cancelled_early bigint: subscribers with no paying subscription running cancel_days after acquisition
--   early_churned bigint: without_second_order + cancelled_early
--   early_churn_rate double: early_churned / acquired_customers (NULL for an empty cohort)
with

paid_orders as (
    select
        customer_id,
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
        mrr,
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

acquisitions as (
    select
        customer_id,
        min(event_at) as acquired_at
    from first_events
    group by customer_id
),

cohort as (
    select
        customer_id,
        acquired_at
    from acquisitions
    where acquired_at >= ?
        and acquired_at < ?
),

subscribers as (
    select distinct customer_id
    from started_subscriptions
),

order_customers as (
    select
        cohort.customer_id,
        cohort.acquired_at
    from cohort
    left join subscribers
        on subscribers.customer_id = cohort.customer_id
    where subscribers.customer_id is null
),

-- The first paid order is the acquisition itself, so two orders in the horizon mean a second one.
repeat_buyers as (
    select order_customers.customer_id
    from order_customers
    inner join paid_orders
        on paid_orders.customer_id = order_customers.customer_id
    where paid_orders.ordered_at < order_customers.acquired_at + interval '1' day * ?
    group by order_customers.customer_id
    having count(*) >= 2
),

cohort_subscribers as (
    select
        cohort.customer_id,
        cohort.acquired_at
    from cohort
    inner join subscribers
        on subscribers.customer_id = cohort.customer_id
),

-- Active at t = acquisition + cancel_days: started at or before t and not ended by t, the same
-- test as everywhere else, so a plan switch (one ends, the next starts) is no churn. Only a
-- paying plan counts: a $0 plan has no MRR, so moving to it is churn, as in mrr_movements.
still_subscribed as (
    select distinct cohort_subscribers.customer_id
    from cohort_subscribers
    inner join started_subscriptions
        on started_subscriptions.customer_id = cohort_subscribers.customer_id
    where started_subscriptions.mrr > 0
        and started_subscriptions.started_at <= cohort_subscribers.acquired_at + interval '1' day * ?
        and (
            started_subscriptions.ended_at is null
            or started_subscriptions.ended_at > cohort_subscribers.acquired_at + interval '1' day * ?
        )
),

counts as (
    select
        (select count(*) from cohort) as acquired_customers,
        (select count(*) from order_customers) as order_customers,
        (
            select count(*)
            from order_customers
            left join repeat_buyers
                on repeat_buyers.customer_id = order_customers.customer_id
            where repeat_buyers.customer_id is null
        ) as without_second_order,
        (select count(*) from cohort_subscribers) as subscribers,
        (
            select count(*)
            from cohort_subscribers
            left join still_subscribed
                on still_subscribed.customer_id = cohort_subscribers.customer_id
            where still_subscribed.customer_id is null
        ) as cancelled_early
),

final as (
    select
        acquired_customers,
        order_customers,
        without_second_order,
        subscribers,
        cancelled_early,
        without_second_order + cancelled_early as early_churned,
        cast(without_second_order + cancelled_early as double)
            / nullif(cast(acquired_customers as double), 0) as early_churn_rate
    from counts
)

select * from final
