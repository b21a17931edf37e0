"""From incident records to the week's border hotspots and hours, and back (以警情为指引).

``patrolplan hotspots CONFIG --incidents FILE`` reads incidents (:mod:`.read`), finds the hot
spots at borders between units of ``data.boundaries`` (:mod:`.borders`, :mod:`.detect`), their
hours (:mod:`.hours`) and zones (:mod:`.zones`), and writes a scenario folder
(:mod:`.scenario`); ``patrolplan evaluate RUN_DIR --incidents FILE`` says how a roster met the
incidents of its week (:mod:`.evaluate`). Pictures: :mod:`.plot`.
"""
