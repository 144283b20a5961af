"""Demand forecasting engine: statistical models, global LightGBMs (ours and mlforecast's),
combinations, coherence.

Plain arrays in (`ForecastProblem`), forecasts out (`ForecastResult`); no database, no HTTP.
`hierarchy.reconcile` makes forecasts of a store → DC → region → total tree add up;
`calendar` holds the Spring Festival table the global model's features use.
"""
