-- purpose: Customers acquired in a window and the marketing spend of the window, per
--   acquisition channel (CAC, blended and per channel). A customer is acquired at their first
--   paid order or first subscription start, whichever is earlier.
-- grain: one row per acquisition channel (customers without one count as 'unknown')
-- reads: orders (order_month partitions up to to_month), subscriptions, customers,
--   marketing_spend, fx_rates
-- parameters:
--   to_month varchar: last order_month partition to read (month of the last instant before window_end)
--   window_end timestamp: end of the window, exclusive: orders after it are not read
--   window_end timestamp: (repeated) subscriptions starting after it are not read
--   window_start timestamp: start of the window, inclusive
--   window_end timestamp: (repeated) end of the window, exclusive
--   spend_from date: first day of spend counted (civil date of window_start)
--   spend_until date: first day of spend not counted (civil date of window_end)
--   report_currency varchar: ISO code spend is reported in
--   report_currency varchar: (repeated) rates into the report currency
--   report_currency varchar: (repeated) spend needing conversion
--   report_currency varchar: (repeated) spend without a rate
-- columns:
--   channel varchar: acquisition channel, or 'unknown'
--   acquired_customers bigint: customers acquired in the window
--   marketing_spend decimal(38,4): spend of the window in the report currency
--   converted_spend_rows bigint: spend rows counted in marketing_spend
--   unconverted_spend_rows bigint: spend rows left out because no fx rate was found
with

first_events as (
    select
        customer_id,
        ordered_at as event_at
    from orders
    where order_month <= ?
        and ordered_at < ?
        and status = 'paid'
        and amount - coalesce(refunded_amount, 0) > 0
    union all
    select
        customer_id,
        started_at as event_at
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

acquired_in_window as (
    select
        coalesce(customers.acquisition_channel, 'unknown') as channel,
        count(*) as acquired_customers
    from acquisitions
    left join customers
        on customers.customer_id = acquisitions.customer_id
    where acquisitions.acquired_at >= ?
        and acquisitions.acquired_at < ?
    group by coalesce(customers.acquisition_channel, 'unknown')
),

spend as (
    select
        spend_date,
        channel,
        currency,
        amount
    from marketing_spend
    where spend_date >= ?
        and spend_date < ?
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

spend_in_report_currency as (
    select
        channel,
        amount
    from spend
    where currency = ?
    union all
    select
        spend.channel,
        -- Exact on both engines. DuckDB multiplies two DECIMAL(18) values in 64 bits, as a
        -- DECIMAL(18, 14) that overflows from 10^4: larger products are widened to 128 bits
        -- first, smaller ones are not, as rounding a 128-bit product is ~70 times slower.
        case
            when abs(cast(spend.amount as double) * cast(rates.rate as double)) < 9999
                then cast(spend.amount * rates.rate as decimal(18, 4))
            else cast(cast(spend.amount as decimal(38, 4)) * rates.rate as decimal(18, 4))
        end as amount
    from spend
    inner join rates
        on rates.from_currency = spend.currency
        and rates.rate_date = spend.spend_date
    where spend.currency <> ?
),

unconverted_spend as (
    select
        spend.channel,
        count(*) as unconverted_spend_rows
    from spend
    left join rates
        on rates.from_currency = spend.currency
        and rates.rate_date = spend.spend_date
    where rates.rate is null
        and spend.currency <> ?
    group by spend.channel
),

spend_per_channel as (
    select
        channel,
        sum(amount) as marketing_spend,
        count(*) as converted_spend_rows
    from spend_in_report_currency
    group by channel
),

channels as (
    select channel from acquired_in_window
    union
    select channel from spend_per_channel
    union
    select channel from unconverted_spend
),

final as (
    select
        channels.channel,
        coalesce(acquired_in_window.acquired_customers, 0) as acquired_customers,
        coalesce(spend_per_channel.marketing_spend, 0) as marketing_spend,
        coalesce(spend_per_channel.converted_spend_rows, 0) as converted_spend_rows,
        coalesce(unconverted_spend.unconverted_spend_rows, 0) as unconverted_spend_rows
    from channels
    left join acquired_in_window
        on acquired_in_window.channel = channels.channel
    left join spend_per_channel
        on spend_per_channel.channel = channels.channel
    left join unconverted_spend
        on unconverted_spend.channel = channels.channel
)

select * from final
order by channel
