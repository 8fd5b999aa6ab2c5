-- purpose: Customer retention and churn over one window (the 28 days ending at the report week's
--   end; the previous week's window is the same query with its own bounds), split by how a
--   customer is judged. Contractual: customers with a subscription started before window_end,
--   active at t while a paying subscription (mrr above 0) runs (started_at <= t < ended_at);
--   churned = running one at window_start and none at window_end, i.e. their last running
--   paying subscription ended, or moved to a $0 plan, within the window.
--   Non-contractual: every other customer, active at t with a paid order in the activity window
--   before t; churned = a paid order in the activity window before window_start and none in the
--   one before window_end. The 'all' row is both together; the weekly KPIs read its counts.
-- grain: one row per population: contractual, non_contractual, all
-- reads: orders (order_month partitions from_month..to_month), subscriptions
-- parameters:
--   from_month varchar: first order_month partition to read (month of start_activity_from)
--   to_month varchar: last order_month partition to read (month of the last instant before window_end)
--   window_end timestamp: customers with a subscription started before it are contractual
--   window_start timestamp: t at the start: subscription started at or before it
--   window_start timestamp: (repeated) and not ended by it
--   window_end timestamp: t at the end: subscription started at or before it
--   window_end timestamp: (repeated) and not ended by it
--   start_activity_from timestamp: window_start minus the activity window
--   window_start timestamp: (repeated) end of the activity window before window_start
--   end_activity_from timestamp: window_end minus the activity window
--   window_end timestamp: (repeated) end of the activity window before window_end
-- columns:
--   population varchar: contractual, non_contractual or all
--   active_at_start bigint: customers active at window_start
--   active_at_end bigint: customers active at window_end
--   retained bigint: active at both
--   churned bigint: active at window_start, not at window_end
--   became_active bigint: active at window_end, not at window_start (new or returning)
--   retention_rate double: retained / active_at_start (NULL when nobody was active at the start)
--   churn_rate double: churned / active_at_start (NULL when nobody was active at the start)
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

-- Judged as of the window's end: a subscription that starts later does not reach back and turn
-- a customer's earlier orders into a subscriber's, so a re-run of an old week keeps its numbers.
subscribers as (
    select distinct customer_id
    from subscriptions
    where started_at < ?
),

-- Only a paying plan keeps a subscriber active: a move to a $0 plan is churn, as in
-- mrr_movements and early_churn.
subscribed_at_start as (
    select distinct customer_id
    from subscriptions
    where started_at <= ?
        and (ended_at is null or ended_at > ?)
        and mrr > 0
),

subscribed_at_end as (
    select distinct customer_id
    from subscriptions
    where started_at <= ?
        and (ended_at is null or ended_at > ?)
        and mrr > 0
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

contractual as (
    select
        subscribers.customer_id,
        subscribed_at_start.customer_id is not null as active_at_start,
        subscribed_at_end.customer_id is not null as active_at_end
    from subscribers
    left join subscribed_at_start
        on subscribed_at_start.customer_id = subscribers.customer_id
    left join subscribed_at_end
        on subscribed_at_end.customer_id = subscribers.customer_id
),

-- Everyone who purchased in either activity window, once, with both flags.
purchasers as (
    select
        coalesce(purchased_before_start.customer_id, purchased_before_end.customer_id) as customer_id,
        purchased_before_start.customer_id is not null as active_at_start,
        purchased_before_end.customer_id is not null as active_at_end
    from purchased_before_start
    full join purchased_before_end
        on purchased_before_end.customer_id = purchased_before_start.customer_id
),

-- A subscriber's invoices are orders too; judging subscribers by their subscriptions alone keeps
-- an annual subscriber active between invoices and out of this population.
non_contractual as (
    select
        purchasers.customer_id,
        purchasers.active_at_start,
        purchasers.active_at_end
    from purchasers
    left join subscribers
        on subscribers.customer_id = purchasers.customer_id
    where subscribers.customer_id is null
),

customer_states as (
    select 'contractual' as population, active_at_start, active_at_end from contractual
    union all
    select 'non_contractual' as population, active_at_start, active_at_end from non_contractual
    union all
    select 'all' as population, active_at_start, active_at_end from contractual
    union all
    select 'all' as population, active_at_start, active_at_end from non_contractual
),

-- Fixed rows, so that a business without subscriptions still gets a contractual row of zeros.
populations as (
    select population, display_order
    from (values ('contractual', 1), ('non_contractual', 2), ('all', 3)) as populations (population, display_order)
),

counts as (
    select
        populations.population,
        populations.display_order,
        count(customer_states.population) filter (where customer_states.active_at_start) as active_at_start,
        count(customer_states.population) filter (where customer_states.active_at_end) as active_at_end,
        count(customer_states.population) filter (
            where customer_states.active_at_start and customer_states.active_at_end
        ) as retained,
        count(customer_states.population) filter (
            where customer_states.active_at_start and not customer_states.active_at_end
        ) as churned,
        count(customer_states.population) filter (
            where customer_states.active_at_end and not customer_states.active_at_start
        ) as became_active
    from populations
    left join customer_states
        on customer_states.population = populations.population
    group by populations.population, populations.display_order
),

final as (
    select
        display_order,
        population,
        active_at_start,
        active_at_end,
        retained,
        churned,
        became_active,
        cast(retained as double) / nullif(cast(active_at_start as double), 0) as retention_rate,
        cast(churned as double) / nullif(cast(active_at_start as double), 0) as churn_rate
    from counts
)

select
    population,
    active_at_start,
    active_at_end,
    retained,
    churned,
    became_active,
    retention_rate,
    churn_rate
from final
order by display_order
