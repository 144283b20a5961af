"""Demand forecasting engine: a library of statistical models and an automatic choice.

Plain arrays in (`ForecastProblem`), forecasts out (`ForecastResult`); no database, no HTTP.
"""
