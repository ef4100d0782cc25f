"""The SLA clocks of tickets: their life (clocks), the ticket's summary of them (summary), the
beat sweep that flags breaches (sweep), the alert outbox (alerts) and the report (report). The
reference data they run against (tiers, targets, calendars, schedules) is in the sla app."""
