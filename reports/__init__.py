"""报表: the application form (PDF), Excel exports, statistics, and the background jobs behind them."""
