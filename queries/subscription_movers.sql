-- purpose: The subscribers who moved MRR the most over one week, for the e-mail's movers: each
--   customer's MRR at the week's start and at its end (the mrr of the subscriptions running at
--   that instant, started at or before it and not ended by it, as subscriber_mrr takes it),
--   converted to the report currency at the rate of each subscription's start day as
--   mrr_movements converts it, so an exchange-rate move never makes a mover. The move: new
--   (from 0, no subscription with mrr above 0 started before the week), reactivation (from 0,
--   one did), expansion, contraction, churned (to 0, a downgrade to a free plan included).
--   Subscriptions without a rate are left out (mrr_movements counts them). Only the largest
--   movers_per_kind of each kind, by amount, ties by customer_id.
-- grain: one row per customer whose MRR changed over the week, at most movers_per_kind per kind
-- reads: subscriptions, fx_rates
-- parameters:
--   week_end timestamp: the week's end, exclusive; subscriptions starting after it are not read
--   report_currency varchar: ISO code MRR is reported in (rates into it)
--   report_currency varchar: (repeated) subscriptions already in the report currency
--   report_currency varchar: (repeated) subscriptions needing conversion
--   week_start timestamp: the week's start, the first instant MRR is taken at
--   week_start timestamp: (repeated) and not ended by it
--   week_end timestamp: (repeated) the second instant MRR is taken at
--   week_end timestamp: (repeated) and not ended by it
--   week_start timestamp: (repeated) MRR before the week: a subscription started before it
--   movers_per_kind bigint: how many of each kind are returned
-- columns:
--   kind varchar: new, reactivation, expansion, contraction or churned
--   mover_rank bigint: 1 = the largest amount of the kind; ties by customer_id
--   customer_id varchar: customer key
--   start_mrr decimal(38,4): MRR at week_start
--   end_mrr decimal(38,4): MRR at week_end
--   amount decimal(38,4): the move: end_mrr for new and reactivation, end_mrr - start_mrr for
--     expansion, start_mrr - end_mrr for contraction, start_mrr for churned
with

started_subscriptions as (
    select
        -- ids
        customer_id,
        -- amounts
        mrr,
        currency,
        -- timestamps
        started_at,
        ended_at
    from subscriptions
    where started_at <= ?
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

valued_subscriptions as (
    select customer_id, mrr, started_at, ended_at
    from started_subscriptions
    where currency = ?
    union all
    select
        started_subscriptions.customer_id,
        -- Exact on both engines. DuckDB multiplies two DECIMAL(18) values in 64 bits, as a
        -- DECIMAL(18, 14) that overflows from 10^4: larger products are widened to 128 bits
        -- first, smaller ones are not, as rounding a 128-bit product is ~70 times slower.
        case
            when abs(cast(started_subscriptions.mrr as double) * cast(rates.rate as double)) < 9999
                then cast(started_subscriptions.mrr * rates.rate as decimal(18, 4))
            else cast(cast(started_subscriptions.mrr as decimal(38, 4)) * rates.rate as decimal(18, 4))
        end as mrr,
        started_subscriptions.started_at,
        started_subscriptions.ended_at
    from started_subscriptions
    inner join rates
        on rates.from_currency = started_subscriptions.currency
        and rates.rate_date = cast(started_subscriptions.started_at as date)
    where started_subscriptions.currency <> ?
),

-- Each instant in its own CTE: Athena binds parameters only in WHERE.
mrr_at_start as (
    select customer_id, sum(mrr) as mrr
    from valued_subscriptions
    where started_at <= ?
        and (ended_at is null or ended_at > ?)
    group by customer_id
),

mrr_at_end as (
    select customer_id, sum(mrr) as mrr
    from valued_subscriptions
    where started_at <= ?
        and (ended_at is null or ended_at > ?)
    group by customer_id
),

-- A subscription with mrr above 0 that ran for a moment before the week: the customer had MRR
-- before, so coming back from 0 is a reactivation.
earlier_subscribers as (
    select distinct customer_id
    from valued_subscriptions
    where started_at < ?
        and mrr > 0
        and (ended_at is null or ended_at > started_at)
),

customers as (
    select customer_id from mrr_at_start
    union
    select customer_id from mrr_at_end
),

customer_mrr as (
    select
        customers.customer_id,
        coalesce(mrr_at_start.mrr, cast(0 as decimal(38, 4))) as start_mrr,
        coalesce(mrr_at_end.mrr, cast(0 as decimal(38, 4))) as end_mrr,
        earlier_subscribers.customer_id is not null as had_mrr_before
    from customers
    left join mrr_at_start
        on mrr_at_start.customer_id = customers.customer_id
    left join mrr_at_end
        on mrr_at_end.customer_id = customers.customer_id
    left join earlier_subscribers
        on earlier_subscribers.customer_id = customers.customer_id
),

moves as (
    select
        customer_id,
        start_mrr,
        end_mrr,
        case
            when start_mrr = 0 and end_mrr > 0 and not had_mrr_before then 'new'
            when start_mrr = 0 and end_mrr > 0 then 'reactivation'
            when start_mrr > 0 and end_mrr > start_mrr then 'expansion'
            when start_mrr > 0 and end_mrr > 0 and end_mrr < start_mrr then 'contraction'
            when start_mrr > 0 and end_mrr = 0 then 'churned'
        end as kind,
        case
            when start_mrr = 0 then end_mrr
            when end_mrr > start_mrr then end_mrr - start_mrr
            else start_mrr - end_mrr
        end as amount
    from customer_mrr
),

ranked as (
    select
        kind,
        row_number() over (partition by kind order by amount desc, customer_id) as mover_rank,
        customer_id,
        start_mrr,
        end_mrr,
        amount
    from moves
    where kind is not null
),

final as (
    select
        kind,
        mover_rank,
        customer_id,
        start_mrr,
        end_mrr,
        amount
    from ranked
    where mover_rank <= ?
)

select * from final
order by
    case kind
        when 'new' then 1
        when 'reactivation' then 2
        when 'expansion' then 3
        when 'contraction' then 4
        else 5
    end,
    mover_rank
