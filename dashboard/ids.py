"""Component ids, prefixed by page so pages cannot collide."""

from __future__ import annotations

# app shell
URL = "app-url"
CONTENT = "app-content"
NAV = "app-nav"

# records page
RECORDS_TABLE = "records-table"
RECORDS_UNREADABLE = "records-unreadable"
RECORDS_OPEN = "records-open"
RECORDS_COMPARE = "records-compare"
RECORDS_REFRESH = "records-refresh"
RECORDS_HINT = "records-hint"
RECORDS_GO = "records-go"

# replay page
REPLAY_RECORD = "replay-record"
REPLAY_HEADER = "replay-header"
REPLAY_MINERAL = "replay-mineral"
REPLAY_MEASURE = "replay-measure"
REPLAY_SLIDER = "replay-slider"
REPLAY_PLAY = "replay-play"
REPLAY_SPEED = "replay-speed"
REPLAY_INTERVAL = "replay-interval"
REPLAY_ROUND_LABEL = "replay-round-label"
REPLAY_MAP = "replay-map"
REPLAY_NETWORK = "replay-network"
REPLAY_PRICES = "replay-prices"
REPLAY_SHORTFALL = "replay-shortfall"
REPLAY_EVENTS = "replay-events"
REPLAY_COUNTRY = "replay-country"
REPLAY_PANEL = "replay-panel"
REPLAY_PANEL_TITLE = "replay-panel-title"

# compare page
COMPARE_MODE = "compare-mode"
COMPARE_RECORDS = "compare-records"
COMPARE_STRATEGY_A = "compare-strategy-a"
COMPARE_STRATEGY_B = "compare-strategy-b"
COMPARE_SCENARIO = "compare-scenario"
COMPARE_MEASURE = "compare-measure"
COMPARE_MINERAL = "compare-mineral"
COMPARE_STATUS = "compare-status"
COMPARE_SIDE = "compare-side"
COMPARE_DIFF = "compare-diff"
COMPARE_BAND = "compare-band"
COMPARE_CSV_SIDE = "compare-csv-side"
COMPARE_CSV_DIFF = "compare-csv-diff"
COMPARE_CSV_BAND = "compare-csv-band"
COMPARE_DOWNLOAD = "compare-download"
