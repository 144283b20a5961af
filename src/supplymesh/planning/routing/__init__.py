"""Vehicle routing engine: CVRP and VRPTW with several depots, a mixed fleet and shifts.

`problem.RoutingProblem` in, `solve.plan_routes` with `params.RoutingParams`, a
`result.RoutingResult` out, checked independently by `check.check_routes`.
"""
