"""Production: work orders, finite-capacity schedules (APS) and their repair on machine alarms."""
