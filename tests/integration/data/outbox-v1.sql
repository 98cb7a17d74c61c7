-- An outbox.db written by deadlined 0.1.0 at commit a5464b3 (schema
-- version 1, PRAGMA user_version 0), dumped with Python's
-- sqlite3 iterdump.  Three cases, four receivers (log, ok: 204,
-- gone: 404, down: refused), run with --once at 2026-11-30T09:00:05
-- and again at 10:00:05 after case 5003 recorded filed: rows in
-- every state (sent, failed, pending, cancelled).
BEGIN TRANSACTION;
CREATE TABLE alerts (  id         TEXT PRIMARY KEY,  case_id    TEXT NOT NULL,  window     TEXT NOT NULL,  kind       TEXT NOT NULL,  due_at     INTEGER NOT NULL,  created_at INTEGER NOT NULL,  payload    TEXT NOT NULL);
INSERT INTO "alerts" VALUES('8765e7046cde75976038f4209a32933f','(2026)沪0115执5001号','decision','opened',1796000405,1796000405,'{"id":"8765e7046cde75976038f4209a32933f","kind":"opened","days_left":-3,"case":{"id":"(2026)沪0115执5001号","title":"张某诉李某拒不执行","court":"上海市浦东新区人民法院"},"window":{"name":"decision","title":"Police decision on opening a case","opened":"2026-11-20","days":7,"extended":false,"deadline":"2026-11-27","deadline_at":"2026-11-27T23:59:59+08:00"}}');
INSERT INTO "alerts" VALUES('b790c8073ecbccf830680905d0629dc0','(2026)沪0115执5001号','decision','overdue',1796000400,1796000405,'{"id":"b790c8073ecbccf830680905d0629dc0","kind":"overdue","days_left":-3,"case":{"id":"(2026)沪0115执5001号","title":"张某诉李某拒不执行","court":"上海市浦东新区人民法院"},"window":{"name":"decision","title":"Police decision on opening a case","opened":"2026-11-20","days":7,"extended":false,"deadline":"2026-11-27","deadline_at":"2026-11-27T23:59:59+08:00"}}');
INSERT INTO "alerts" VALUES('e5f9f38608c53b65e82f1aed1401b5cb','(2026)沪0115执5002号','decision','opened',1796000405,1796000405,'{"id":"e5f9f38608c53b65e82f1aed1401b5cb","kind":"opened","days_left":24,"case":{"id":"(2026)沪0115执5002号","title":"Wang v. Zhao","court":"Pudong court"},"window":{"name":"decision","title":"Police decision on opening a case","opened":"2026-11-24","days":30,"extended":true,"deadline":"2026-12-24","deadline_at":"2026-12-24T23:59:59+08:00"}}');
INSERT INTO "alerts" VALUES('f053237602aba57e4e08319699824cee','(2026)沪0115执5003号','decision','opened',1796000405,1796000405,'{"id":"f053237602aba57e4e08319699824cee","kind":"opened","days_left":2,"case":{"id":"(2026)沪0115执5003号","title":"Closed later","court":"Pudong court"},"window":{"name":"decision","title":"Police decision on opening a case","opened":"2026-11-25","days":7,"extended":false,"deadline":"2026-12-02","deadline_at":"2026-12-02T23:59:59+08:00"}}');
INSERT INTO "alerts" VALUES('fd459b76c362f48eeccc5ed0c49fe14f','(2026)沪0115执5003号','decision','reminder',1795914000,1796000405,'{"id":"fd459b76c362f48eeccc5ed0c49fe14f","kind":"reminder","days_left":2,"case":{"id":"(2026)沪0115执5003号","title":"Closed later","court":"Pudong court"},"window":{"name":"decision","title":"Police decision on opening a case","opened":"2026-11-25","days":7,"extended":false,"deadline":"2026-12-02","deadline_at":"2026-12-02T23:59:59+08:00"}}');
INSERT INTO "alerts" VALUES('b10e74c8421da9d256a31f0ab9121d8a','(2026)沪0115执5003号','decision','closed',1796004005,1796004005,'{"id":"b10e74c8421da9d256a31f0ab9121d8a","kind":"closed","days_left":2,"case":{"id":"(2026)沪0115执5003号","title":"Closed later","court":"Pudong court"},"window":{"name":"decision","title":"Police decision on opening a case","opened":"2026-11-25","days":7,"extended":false,"deadline":"2026-12-02","deadline_at":"2026-12-02T23:59:59+08:00"}}');
CREATE TABLE deliveries (  alert_id    TEXT NOT NULL REFERENCES alerts(id),  receiver    TEXT NOT NULL,  state       TEXT NOT NULL CHECK (state IN                ('pending', 'sent', 'failed', 'cancelled')),  attempts    INTEGER NOT NULL DEFAULT 0,  created_at  INTEGER NOT NULL,  next_try    INTEGER NOT NULL,  last_try    INTEGER,  last_status INTEGER,  last_error  TEXT,  sent_at     INTEGER,  PRIMARY KEY (alert_id, receiver));
INSERT INTO "deliveries" VALUES('8765e7046cde75976038f4209a32933f','log','sent',1,1796000405,1796000405,1796000405,0,NULL,1796000405);
INSERT INTO "deliveries" VALUES('8765e7046cde75976038f4209a32933f','ok','sent',1,1796000405,1796000405,1796000405,204,NULL,1796000405);
INSERT INTO "deliveries" VALUES('8765e7046cde75976038f4209a32933f','gone','failed',1,1796000405,1796000405,1796000405,404,'HTTP 404',NULL);
INSERT INTO "deliveries" VALUES('8765e7046cde75976038f4209a32933f','down','pending',1,1796000405,1796004476,1796000405,0,'Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn''t connect to server',NULL);
INSERT INTO "deliveries" VALUES('b790c8073ecbccf830680905d0629dc0','log','sent',1,1796000405,1796000405,1796000405,0,NULL,1796000405);
INSERT INTO "deliveries" VALUES('b790c8073ecbccf830680905d0629dc0','ok','sent',1,1796000405,1796000405,1796000405,204,NULL,1796000405);
INSERT INTO "deliveries" VALUES('b790c8073ecbccf830680905d0629dc0','gone','failed',1,1796000405,1796000405,1796000405,404,'HTTP 404',NULL);
INSERT INTO "deliveries" VALUES('b790c8073ecbccf830680905d0629dc0','down','pending',1,1796000405,1796004476,1796000405,0,'Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn''t connect to server',NULL);
INSERT INTO "deliveries" VALUES('e5f9f38608c53b65e82f1aed1401b5cb','log','sent',1,1796000405,1796000405,1796000405,0,NULL,1796000405);
INSERT INTO "deliveries" VALUES('e5f9f38608c53b65e82f1aed1401b5cb','ok','sent',1,1796000405,1796000405,1796000405,204,NULL,1796000405);
INSERT INTO "deliveries" VALUES('e5f9f38608c53b65e82f1aed1401b5cb','gone','failed',1,1796000405,1796000405,1796000405,404,'HTTP 404',NULL);
INSERT INTO "deliveries" VALUES('e5f9f38608c53b65e82f1aed1401b5cb','down','pending',1,1796000405,1796004476,1796000405,0,'Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn''t connect to server',NULL);
INSERT INTO "deliveries" VALUES('f053237602aba57e4e08319699824cee','log','sent',1,1796000405,1796000405,1796000405,0,NULL,1796000405);
INSERT INTO "deliveries" VALUES('f053237602aba57e4e08319699824cee','ok','sent',1,1796000405,1796000405,1796000405,204,NULL,1796000405);
INSERT INTO "deliveries" VALUES('f053237602aba57e4e08319699824cee','gone','failed',1,1796000405,1796000405,1796000405,404,'HTTP 404',NULL);
INSERT INTO "deliveries" VALUES('f053237602aba57e4e08319699824cee','down','pending',1,1796000405,1796004476,1796000405,0,'Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn''t connect to server',NULL);
INSERT INTO "deliveries" VALUES('fd459b76c362f48eeccc5ed0c49fe14f','log','sent',1,1796000405,1796000405,1796000405,0,NULL,1796000405);
INSERT INTO "deliveries" VALUES('fd459b76c362f48eeccc5ed0c49fe14f','ok','sent',1,1796000405,1796000405,1796000405,204,NULL,1796000405);
INSERT INTO "deliveries" VALUES('fd459b76c362f48eeccc5ed0c49fe14f','gone','failed',1,1796000405,1796000405,1796000405,404,'HTTP 404',NULL);
INSERT INTO "deliveries" VALUES('fd459b76c362f48eeccc5ed0c49fe14f','down','cancelled',1,1796000405,1796004476,1796000405,0,'the window closed before delivery',NULL);
INSERT INTO "deliveries" VALUES('b10e74c8421da9d256a31f0ab9121d8a','log','sent',1,1796004005,1796004005,1796004005,0,NULL,1796004005);
INSERT INTO "deliveries" VALUES('b10e74c8421da9d256a31f0ab9121d8a','ok','sent',1,1796004005,1796004005,1796004005,204,NULL,1796004005);
INSERT INTO "deliveries" VALUES('b10e74c8421da9d256a31f0ab9121d8a','gone','failed',1,1796004005,1796004005,1796004005,404,'HTTP 404',NULL);
INSERT INTO "deliveries" VALUES('b10e74c8421da9d256a31f0ab9121d8a','down','pending',1,1796004005,1796007729,1796004005,0,'Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn''t connect to server',NULL);
CREATE TABLE windows (  case_id  TEXT NOT NULL,  window   TEXT NOT NULL,  opened   INTEGER NOT NULL,  deadline INTEGER NOT NULL,  closed   INTEGER NOT NULL,  PRIMARY KEY (case_id, window));
INSERT INTO "windows" VALUES('(2026)沪0115执5001号','decision',20777,20784,0);
INSERT INTO "windows" VALUES('(2026)沪0115执5002号','decision',20781,20811,0);
INSERT INTO "windows" VALUES('(2026)沪0115执5003号','decision',20782,20789,1);
CREATE INDEX deliveries_pending  ON deliveries (next_try) WHERE state = 'pending';
COMMIT;
