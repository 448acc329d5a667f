import GRDB

/// The store's schema. Migrations are frozen once shipped: never edit one, add the next.
/// Invariants live in SQL (CHECK, UNIQUE, foreign keys, triggers) so that no code path can
/// break them.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-node-records-changes-quarantine", migrate: v1NodeRecordsChangesQuarantine)
        m.registerMigration("v2-outbox", migrate: v2Outbox)
        m.registerMigration("v3-chains-held-receipts", migrate: v3ChainsHeldReceipts)
        m.registerMigration("v4-downward-status", migrate: v4DownwardStatus)
        m.registerMigration("v5-apply-queue", migrate: v5ApplyQueue)
        m.registerMigration("v6-totals-without-scans", migrate: v6TotalsWithoutScans)
        m.registerMigration("v7-provisional-deadlines", migrate: v7ProvisionalDeadlines)
        m.registerMigration("v8-listed-representatives", migrate: v8ListedRepresentatives)
        m.registerMigration("v9-audit", migrate: v9Audit)
        m.registerMigration("v10-set-aside", migrate: v10SetAside)
        m.registerMigration("v11-change-digests", migrate: v11ChangeDigests)
        m.registerMigration("v12-portal", migrate: v12Portal)
        m.registerMigration("v13-objection-requests", migrate: v13ObjectionRequests)
        m.registerMigration("v14-pending-upward", migrate: v14PendingUpward)
        m.registerMigration("v15-node-health", migrate: v15NodeHealth)
        m.registerMigration("v16-operations-tallies", migrate: v16OperationsTallies)
        m.registerMigration("v17-objection-request-codes", migrate: v17ObjectionRequestCodes)
        m.registerMigration("v18-records-in-force", migrate: v18RecordsInForce)
        m.registerMigration("v19-repair-requests", migrate: v19RepairRequests)
        m.registerMigration("v20-public-tally", migrate: v20PublicTally)
        m.registerMigration("v21-authorisations", migrate: v21Authorisations)
        m.registerMigration("v22-government-lookups", migrate: v22GovernmentLookups)
        m.registerMigration("v23-commitment-follow-up", migrate: v23CommitmentFollowUp)
        m.registerMigration("v24-government-bodies", migrate: v24GovernmentBodies)
        m.registerMigration("v25-former-codes", migrate: v25FormerCodes)
        m.registerMigration("v26-subject-renamed-by-grams", migrate: v26SubjectRenamedByGrams)
        m.registerMigration("v27-records-that-moved", migrate: v27RecordsThatMoved)
        m.registerMigration("v28-records-that-moved-everywhere", migrate: v28RecordsThatMovedEverywhere)
        m.registerMigration("v29-records-under-objection", migrate: v29RecordsUnderObjection)
        m.registerMigration("v30-the-objection-a-request-opened", migrate: v30TheObjectionARequestOpened)
        m.registerMigration("v31-objections-open-past-publicity", migrate: v31ObjectionsOpenPastPublicity)
        m.registerMigration("v32-own-seqs-restarted-at-the-top", migrate: v32OwnSeqsRestartedAtTheTop)
        m.registerMigration("v33-articles-by-their-words", migrate: v33ArticlesByTheirWords)
        m.registerMigration("v34-complaints", migrate: v34Complaints)
        m.registerMigration("v35-loan-requests", migrate: v35LoanRequests)
        m.registerMigration("v36-records-by-document-number", migrate: v36RecordsByDocumentNumber)
        m.registerMigration("v37-subjects-by-name", migrate: v37SubjectsByName)
        m.registerMigration("v38-loan-requests-by-institutions", migrate: v38LoanRequestsByInstitutions)
        m.registerMigration("v39-attachments", migrate: v39Attachments)
        return m
    }

    static func v1NodeRecordsChangesQuarantine(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE node (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                code TEXT NOT NULL CHECK (length(code) = 12 AND code NOT GLOB '*[^0-9]*'),
                created_at INTEGER NOT NULL
            );

            -- The append-only change log: every fact that entered the store, per origin,
            -- numbered 1, 2, 3 … without gaps.
            CREATE TABLE changes (
                id INTEGER PRIMARY KEY,
                origin TEXT NOT NULL CHECK (length(origin) = 12 AND origin NOT GLOB '*[^0-9]*'),
                seq INTEGER NOT NULL CHECK (seq >= 1),
                hlc INTEGER NOT NULL CHECK (hlc > 0),
                entered_at INTEGER NOT NULL CHECK (entered_at > 0),
                op TEXT NOT NULL CHECK (op IN ('put', 'status', 'retract')),
                kind TEXT NOT NULL CHECK (length(kind) > 0),
                record_key TEXT NOT NULL CHECK (length(record_key) > 0),
                jurisdiction TEXT NOT NULL CHECK (length(jurisdiction) = 12 AND jurisdiction NOT GLOB '*[^0-9]*'),
                body TEXT NOT NULL CHECK (json_valid(body)),
                UNIQUE (origin, seq)
            );
            CREATE TRIGGER changes_gap_free BEFORE INSERT ON changes
            WHEN NEW.seq <> COALESCE((SELECT MAX(seq) FROM changes WHERE origin = NEW.origin), 0) + 1
            BEGIN SELECT RAISE(ABORT, 'change log: seq must follow the origin''s last seq without a gap'); END;
            CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
            BEGIN SELECT RAISE(ABORT, 'change log is append-only: changes are never updated'); END;
            CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
            BEGIN SELECT RAISE(ABORT, 'change log is append-only: changes are never deleted'); END;

            -- Records: the current state of each record, derived from its changes.
            CREATE TABLE records (
                id INTEGER PRIMARY KEY,
                record_key TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL CHECK (length(kind) > 0),
                subject_code TEXT,
                jurisdiction TEXT NOT NULL CHECK (length(jurisdiction) = 12 AND jurisdiction NOT GLOB '*[^0-9]*'),
                decision_date TEXT CHECK (decision_date IS NULL OR decision_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
                publication_deadline TEXT CHECK (publication_deadline IS NULL OR publication_deadline GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
                late INTEGER NOT NULL CHECK (late IN (0, 1)),
                state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'objected', 'repaired', 'withdrawn', 'expired')),
                content_change INTEGER NOT NULL REFERENCES changes(id),
                updated_hlc INTEGER NOT NULL,
                CHECK (late = 0 OR publication_deadline IS NOT NULL)
            );
            CREATE INDEX records_subject ON records(subject_code);

            -- Every ingestion run, with its counts.
            CREATE TABLE ingests (
                id INTEGER PRIMARY KEY,
                source TEXT NOT NULL,
                kind TEXT NOT NULL,
                format TEXT NOT NULL CHECK (format IN ('csv', 'jsonl')),
                encoding TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER NOT NULL,
                accepted INTEGER NOT NULL CHECK (accepted >= 0),
                updated INTEGER NOT NULL CHECK (updated >= 0),
                duplicates INTEGER NOT NULL CHECK (duplicates >= 0),
                rejected INTEGER NOT NULL CHECK (rejected >= 0),
                late INTEGER NOT NULL CHECK (late >= 0 AND late <= accepted + updated)
            );

            -- Every refused row, with its reasons and its text as received.
            CREATE TABLE quarantine (
                id INTEGER PRIMARY KEY,
                ingest_id INTEGER NOT NULL REFERENCES ingests(id),
                line INTEGER NOT NULL CHECK (line >= 1),
                kind TEXT NOT NULL,
                reasons TEXT NOT NULL CHECK (json_valid(reasons) AND json_type(reasons) = 'array' AND json_array_length(reasons) > 0),
                raw TEXT NOT NULL,
                raw_digest INTEGER NOT NULL
            );
            CREATE INDEX quarantine_ingest ON quarantine(ingest_id);
            CREATE INDEX quarantine_digest ON quarantine(raw_digest);
            """)
    }

    static func v2Outbox(_ db: Database) throws {
        try db.execute(sql: """
            -- Signed change sets waiting for the parent's receipt, kept byte for byte: a change
            -- set is signed once and sent (or exported) verbatim until it is acknowledged.
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                origin TEXT NOT NULL CHECK (length(origin) = 12 AND origin NOT GLOB '*[^0-9]*'),
                first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
                last_seq INTEGER NOT NULL CHECK (last_seq >= first_seq),
                hash BLOB NOT NULL CHECK (length(hash) = 32),
                previous_hash BLOB NOT NULL CHECK (length(previous_hash) IN (0, 32)),
                encoded BLOB NOT NULL CHECK (length(encoded) > 0),
                created_at INTEGER NOT NULL,
                acknowledged_at INTEGER,
                UNIQUE (origin, first_seq),
                UNIQUE (origin, last_seq)
            );
            -- Each origin's change sets follow one another: seq continues and the hash chains.
            CREATE TRIGGER outbox_chain BEFORE INSERT ON outbox
            WHEN NOT (
                (NEW.first_seq = 1 AND length(NEW.previous_hash) = 0 AND NOT EXISTS (SELECT 1 FROM outbox WHERE origin = NEW.origin))
                OR EXISTS (SELECT 1 FROM outbox WHERE origin = NEW.origin AND last_seq = NEW.first_seq - 1 AND hash = NEW.previous_hash
                           AND last_seq = (SELECT MAX(last_seq) FROM outbox WHERE origin = NEW.origin))
            )
            BEGIN SELECT RAISE(ABORT, 'outbox: a change set must continue its origin''s chain (seq and previous hash)'); END;
            CREATE TRIGGER outbox_immutable BEFORE UPDATE OF origin, first_seq, last_seq, hash, previous_hash, encoded ON outbox
            BEGIN SELECT RAISE(ABORT, 'outbox: a signed change set is never changed'); END;
            """)
    }

    static func v3ChainsHeldReceipts(_ db: Database) throws {
        try db.execute(sql: """
            -- Per origin received from children: the last change set applied, for exactly-once.
            CREATE TABLE chains (
                origin TEXT PRIMARY KEY CHECK (length(origin) = 12 AND origin NOT GLOB '*[^0-9]*'),
                last_seq INTEGER NOT NULL CHECK (last_seq >= 1),
                last_hash BLOB NOT NULL CHECK (length(last_hash) = 32)
            ) WITHOUT ROWID;
            -- Change sets that arrived ahead of a gap: kept, applied when the gap closes.
            CREATE TABLE held (
                origin TEXT NOT NULL CHECK (length(origin) = 12 AND origin NOT GLOB '*[^0-9]*'),
                first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
                encoded BLOB NOT NULL,
                received_at INTEGER NOT NULL,
                PRIMARY KEY (origin, first_seq)
            ) WITHOUT ROWID;
            -- Signed receipts from the parent, kept as received: the proof of delivery.
            CREATE TABLE receipts (
                id INTEGER PRIMARY KEY,
                parent TEXT NOT NULL CHECK (length(parent) = 12 AND parent NOT GLOB '*[^0-9]*'),
                issued_at INTEGER NOT NULL,
                encoded BLOB NOT NULL,
                stored_at INTEGER NOT NULL
            );
            """)
    }

    static func v4DownwardStatus(_ db: Database) throws {
        try db.execute(sql: """
            -- Changes pulled down from the parent are a filtered selection of their origins' logs:
            -- they carry gaps by design. The gap-free rule holds for the origins whose whole log
            -- this node receives (its own and its subtree's), marked downward = 0.
            ALTER TABLE changes ADD COLUMN downward INTEGER NOT NULL DEFAULT 0 CHECK (downward IN (0, 1));
            DROP TRIGGER changes_gap_free;
            CREATE TRIGGER changes_gap_free BEFORE INSERT ON changes
            WHEN NEW.downward = 0 AND NEW.seq <> COALESCE((SELECT MAX(seq) FROM changes WHERE origin = NEW.origin), 0) + 1
            BEGIN SELECT RAISE(ABORT, 'change log: seq must follow the origin''s last seq without a gap'); END;
            -- A record's state is derived from its status changes: found through this index.
            CREATE INDEX changes_status ON changes(record_key) WHERE op = 'status';

            -- The last day a record is shown publicly under its kind's publicity rule.
            ALTER TABLE records ADD COLUMN publicity_until TEXT
                CHECK (publicity_until IS NULL OR publicity_until GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]');
            CREATE INDEX records_publicity ON records(publicity_until) WHERE publicity_until IS NOT NULL AND state IN ('active', 'objected');

            -- What each child pulls: per child code (or '*' for network-wide kinds), the
            -- changes that concern it, so a pull reads only what the child needs.
            CREATE TABLE relevance (
                area TEXT NOT NULL CHECK (area = '*' OR (length(area) = 12 AND area NOT GLOB '*[^0-9]*')),
                change_id INTEGER NOT NULL REFERENCES changes(id),
                PRIMARY KEY (area, change_id)
            ) WITHOUT ROWID;

            -- Changes that came down arrive without their whole change set: each keeps its
            -- origin's signed header and its Merkle inclusion proof, to be passed further down.
            CREATE TABLE down_sets (
                id INTEGER PRIMARY KEY,
                origin TEXT NOT NULL CHECK (length(origin) = 12 AND origin NOT GLOB '*[^0-9]*'),
                first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
                signed_header BLOB NOT NULL CHECK (length(signed_header) > 0),
                UNIQUE (origin, first_seq)
            );
            CREATE TABLE down_proofs (
                change_id INTEGER PRIMARY KEY REFERENCES changes(id),
                set_id INTEGER NOT NULL REFERENCES down_sets(id),
                leaf_index INTEGER NOT NULL CHECK (leaf_index >= 0),
                proof BLOB NOT NULL CHECK (length(proof) % 32 = 0)
            );

            -- Where this node stands in its parent's downward stream: survives restarts.
            CREATE TABLE cursors (
                parent TEXT PRIMARY KEY CHECK (length(parent) = 12 AND parent NOT GLOB '*[^0-9]*'),
                after INTEGER NOT NULL CHECK (after >= 0),
                pulled_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """)
    }

    static func v5ApplyQueue(_ db: Database) throws {
        try db.execute(sql: """
            -- Change sets accepted from a child (verified, chained, acknowledged, and queued in the
            -- outbox to go further up) whose changes are not yet all in the change log and
            -- records: applied in this order, a slice of each per transaction, which also moves
            -- `applied` on (or deletes the row with the last slice). The bytes are the outbox's
            -- (same origin and first seq), or kept here when the outbox does not hold the set
            -- (the top of a network whose store predates v4).
            CREATE TABLE apply_queue (
                id INTEGER PRIMARY KEY,
                origin TEXT NOT NULL CHECK (length(origin) = 12 AND origin NOT GLOB '*[^0-9]*'),
                first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
                changes INTEGER NOT NULL CHECK (changes >= 1),
                applied INTEGER NOT NULL DEFAULT 0 CHECK (applied >= 0 AND applied < changes),
                encoded BLOB,
                accepted_at INTEGER NOT NULL,
                UNIQUE (origin, first_seq)
            );

            -- A change set's bytes apart from its outbox row: the row is read and updated (the
            -- parent's receipt) often, and SQLite reads and rewrites a whole row — a megabyte
            -- of overflow pages when the bytes were inline.
            CREATE TABLE outbox_bytes (
                id INTEGER PRIMARY KEY REFERENCES outbox(id),
                encoded BLOB NOT NULL CHECK (length(encoded) > 0)
            );
            INSERT INTO outbox_bytes (id, encoded) SELECT id, encoded FROM outbox;
            DROP TRIGGER outbox_immutable;
            ALTER TABLE outbox DROP COLUMN encoded;
            CREATE TRIGGER outbox_immutable BEFORE UPDATE OF origin, first_seq, last_seq, hash, previous_hash ON outbox
            BEGIN SELECT RAISE(ABORT, 'outbox: a signed change set is never changed'); END;
            CREATE TRIGGER outbox_bytes_immutable BEFORE UPDATE ON outbox_bytes
            BEGIN SELECT RAISE(ABORT, 'outbox: a signed change set is never changed'); END;
            """)
    }

    static func v6TotalsWithoutScans(_ db: Database) throws {
        try db.execute(sql: """
            -- A record is never deleted: it ends in a state (withdrawn, expired). With the change
            -- log's own triggers this makes both tables' lengths their largest id (SQLite gives a
            -- new row the largest id + 1; every writer of `changes` does the same), which a
            -- status scrape reads instead of counting hundreds of millions of rows.
            CREATE TRIGGER records_no_delete BEFORE DELETE ON records
            BEGIN SELECT RAISE(ABORT, 'records are never deleted: a record ends in a state (withdrawn, expired)'); END;

            -- Late records (迟报), counted per scrape from their own index rather than by reading
            -- every record. `late` is decided when a record first arrives and never updated.
            CREATE INDEX records_late ON records(late) WHERE late = 1;
            CREATE TRIGGER records_late_fixed BEFORE UPDATE OF late ON records WHEN NEW.late IS NOT OLD.late
            BEGIN SELECT RAISE(ABORT, 'records: late (迟报) is decided on arrival and never changed'); END;
            """)
    }

    static func v7ProvisionalDeadlines(_ db: Database) throws {
        try db.execute(sql: """
            -- Records whose publication deadline counts days of a year without an official
            -- working-day schedule (then computed from the statutory holidays): the day the
            -- record entered the network, against which its lateness was judged, kept until
            -- the year's official schedule settles deadline and late — once; the row goes then.
            CREATE TABLE provisional_deadlines (
                record_id INTEGER PRIMARY KEY REFERENCES records(id),
                entered_on TEXT NOT NULL CHECK (entered_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]')
            );
            -- `late` was fixed on arrival; now it, and the deadline, change only when a
            -- provisional deadline is settled (the record still has its row above).
            DROP TRIGGER records_late_fixed;
            CREATE TRIGGER records_late_fixed BEFORE UPDATE OF late, publication_deadline ON records
            WHEN (NEW.late IS NOT OLD.late OR NEW.publication_deadline IS NOT OLD.publication_deadline)
                AND NOT EXISTS (SELECT 1 FROM provisional_deadlines WHERE record_id = OLD.id)
            BEGIN SELECT RAISE(ABORT, 'records: late (迟报) and the publication deadline are decided on arrival and change only when a provisional deadline is settled'); END;
            """)
    }

    static func v8ListedRepresentatives(_ db: Database) throws {
        try db.execute(sql: """
            -- The legal representatives of subjects on the serious-dishonesty list (严重失信主体
            -- 名单, kind 'blacklist' of the catalogue), by ID number: the joint-punishment
            -- memoranda restrict them too, so a check of a person looks here. Partial: only the
            -- list's versions are indexed (the condition on kind is tested first, so other
            -- changes cost one comparison).
            CREATE INDEX changes_listed_representative ON changes(json_extract(body, '$.SX_FR_ZJHM'))
                WHERE op = 'put' AND kind = 'blacklist';
            """)
    }

    static func v9Audit(_ db: Database) throws {
        try db.execute(sql: """
            -- Who wrote what: every ingestion run and status change entered through the records
            -- listener or the command line, with the writer's certificate (role, node code,
            -- name, serial) — in the same transaction as the write. Append-only.
            CREATE TABLE audit (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('department', 'operator', 'local', 'cli')),
                code TEXT CHECK (code IS NULL OR (length(code) = 12 AND code NOT GLOB '*[^0-9]*')),
                name TEXT,
                serial TEXT,
                action TEXT NOT NULL CHECK (action IN ('records', 'status-change')),
                kind TEXT,
                ingest_id INTEGER REFERENCES ingests(id),
                record_key TEXT,
                detail TEXT NOT NULL,
                CHECK (role NOT IN ('department', 'operator') OR (code IS NOT NULL AND serial IS NOT NULL))
            );
            CREATE INDEX audit_at ON audit(at);
            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit: the trail is append-only'); END;
            CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit: the trail is append-only'); END;
            """)
    }

    static func v10SetAside(_ db: Database) throws {
        try db.execute(sql: """
            -- Change sets refused on their own inside a bundle that otherwise held (their
            -- origin revoked when it signed, damaged before they were forwarded …): kept with
            -- the reason and the bytes for the operator, while the rest of the bundle went
            -- through. Once per set (origin, first seq, hash); resolved by an operator's note.
            CREATE TABLE set_aside (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
                peer TEXT NOT NULL CHECK (length(peer) = 12 AND peer NOT GLOB '*[^0-9]*'),
                origin TEXT NOT NULL CHECK (length(origin) = 12 AND origin NOT GLOB '*[^0-9]*'),
                first_seq INTEGER NOT NULL,
                last_seq INTEGER NOT NULL,
                hash BLOB NOT NULL CHECK (length(hash) = 32),
                code TEXT NOT NULL,
                message TEXT NOT NULL,
                encoded BLOB NOT NULL,
                resolved_at INTEGER,
                resolution TEXT CHECK ((resolved_at IS NULL) = (resolution IS NULL)),
                UNIQUE (direction, origin, first_seq, hash)
            );
            """)
    }

    static func v11ChangeDigests(_ db: Database) throws {
        try db.execute(sql: """
            -- Every change's digest as written (the first 8 bytes of its Merkle leaf digest,
            -- see ChangeDigest): a record read for people is checked against it, so that a
            -- byte flipped on disk is refused, not shown. Written by the trigger with the
            -- change, whatever path inserts it; the changes already held are digested now.
            CREATE TABLE change_digests (
                change_id INTEGER PRIMARY KEY REFERENCES changes(id),
                digest INTEGER NOT NULL
            );
            INSERT INTO change_digests (change_id, digest)
            SELECT id, creditnet_change_digest(origin, seq, hlc, entered_at, op, kind, record_key, jurisdiction, body) FROM changes;
            CREATE TRIGGER changes_digest AFTER INSERT ON changes
            BEGIN
                INSERT INTO change_digests (change_id, digest) VALUES (NEW.id, creditnet_change_digest(
                    NEW.origin, NEW.seq, NEW.hlc, NEW.entered_at, NEW.op, NEW.kind, NEW.record_key, NEW.jurisdiction, NEW.body));
            END;
            """)
    }

    static func v12Portal(_ db: Database) throws {
        try db.execute(sql: """
            -- The portal's search (issue 20): one row per subject with the name its latest
            -- record gives (the field *_XDR_MC of the national catalogue), kept in step with
            -- the records by triggers whatever path writes them; a trigram full-text index for
            -- fragments of three characters or more, and every one- and two-character piece of
            -- each name for shorter ones (most Chinese personal names have two or three).
            CREATE TABLE subjects (
                id INTEGER PRIMARY KEY,
                code TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL
            );
            CREATE VIRTUAL TABLE subject_fts USING fts5(name, content='subjects', content_rowid='id', tokenize='trigram');
            CREATE TABLE subject_grams (
                gram TEXT NOT NULL,
                subject_id INTEGER NOT NULL,
                PRIMARY KEY (gram, subject_id)
            ) WITHOUT ROWID;
            -- Positions 1…200 (a name has at most 200 characters): triggers cannot recurse.
            CREATE TABLE gram_positions (n INTEGER PRIMARY KEY);
            WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 200) INSERT INTO gram_positions SELECT n FROM i;
            CREATE TRIGGER subjects_indexed AFTER INSERT ON subjects
            BEGIN
                INSERT INTO subject_fts (rowid, name) VALUES (NEW.id, NEW.name);
                INSERT OR IGNORE INTO subject_grams (gram, subject_id)
                SELECT substr(NEW.name, n, 1), NEW.id FROM gram_positions WHERE n <= length(NEW.name)
                UNION SELECT substr(NEW.name, n, 2), NEW.id FROM gram_positions WHERE n < length(NEW.name);
            END;
            CREATE TRIGGER subjects_renamed AFTER UPDATE OF name ON subjects
            BEGIN
                INSERT INTO subject_fts (subject_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
                INSERT INTO subject_fts (rowid, name) VALUES (NEW.id, NEW.name);
                DELETE FROM subject_grams WHERE subject_id = OLD.id;
                INSERT OR IGNORE INTO subject_grams (gram, subject_id)
                SELECT substr(NEW.name, n, 1), NEW.id FROM gram_positions WHERE n <= length(NEW.name)
                UNION SELECT substr(NEW.name, n, 2), NEW.id FROM gram_positions WHERE n < length(NEW.name);
            END;
            CREATE TRIGGER records_subject_added AFTER INSERT ON records WHEN NEW.subject_code IS NOT NULL
            BEGIN
                INSERT INTO subjects (code, name)
                SELECT NEW.subject_code, j.value FROM changes c, json_each(c.body) j
                WHERE c.id = NEW.content_change AND j.key LIKE '%XDR\\_MC' ESCAPE '\\' AND length(j.value) > 0 LIMIT 1
                ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE name <> excluded.name;
            END;
            CREATE TRIGGER records_subject_changed AFTER UPDATE OF content_change ON records WHEN NEW.subject_code IS NOT NULL
            BEGIN
                INSERT INTO subjects (code, name)
                SELECT NEW.subject_code, j.value FROM changes c, json_each(c.body) j
                WHERE c.id = NEW.content_change AND j.key LIKE '%XDR\\_MC' ESCAPE '\\' AND length(j.value) > 0 LIMIT 1
                ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE name <> excluded.name;
            END;
            INSERT INTO subjects (code, name)
            SELECT code, name FROM (
                SELECT r.subject_code AS code, r.content_change AS at,
                       (SELECT j.value FROM json_each(c.body) j WHERE j.key LIKE '%XDR\\_MC' ESCAPE '\\' AND length(j.value) > 0) AS name
                FROM records r JOIN changes c ON c.id = r.content_change WHERE r.subject_code IS NOT NULL)
            WHERE name IS NOT NULL ORDER BY at
            ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE name <> excluded.name;
            -- The 双公示 listings, newest first, by keyset (kind, decision date, id).
            CREATE INDEX records_kind_date ON records(kind, decision_date);
            """)
    }

    static func v13ObjectionRequests(_ db: Database) throws {
        try db.execute(sql: """
            -- Objections (异议申诉) the public submitted on the portal: requests kept at this
            -- node only — they hold personal contact data and are never synced. An operator
            -- accepts one (the objection is then opened as a status change, which is synced)
            -- or refuses it with a reason.
            CREATE TABLE objection_requests (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                record_key TEXT NOT NULL CHECK (length(record_key) > 0),
                name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
                contact TEXT NOT NULL CHECK (length(contact) BETWEEN 1 AND 100),
                reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'refused')),
                decided_at INTEGER,
                decision TEXT,
                CHECK ((state = 'pending') = (decided_at IS NULL))
            );
            CREATE INDEX objection_requests_pending ON objection_requests(state, id);
            """)
    }

    static func v14PendingUpward(_ db: Database) throws {
        try db.execute(sql: """
            -- What the push schedule asks every second or two: how many changes wait for the
            -- parent's receipt and since when — read from the sets not yet acknowledged, not
            -- origin by origin (a city receives from thousands of villages).
            CREATE INDEX outbox_pending ON outbox(created_at) WHERE acknowledged_at IS NULL;
            """)
    }

    static func v15NodeHealth(_ db: Database) throws {
        try db.execute(sql: """
            -- The latest signed health record of every node of the subtree (its own included),
            -- one row per node, replaced by a later one (not a growing log). A node named as a
            -- child by a record but never heard from has a row without a record (issued_at NULL);
            -- `written` numbers the writes 1, 2, 3 … so a reader asks only for what changed since
            -- it last looked (clocks may go back; this never does).
            CREATE TABLE node_health (
                code TEXT PRIMARY KEY CHECK (length(code) = 12),
                parent TEXT NOT NULL,
                name TEXT NOT NULL DEFAULT '',
                issued_at INTEGER,
                content TEXT,
                encoded BLOB,
                received_at INTEGER,
                written INTEGER NOT NULL,
                -- Upward: the latest acknowledged by the parent, and the one in the bundle
                -- waiting for its receipt (that bundle's hash).
                forwarded_issued_at INTEGER NOT NULL DEFAULT 0,
                in_bundle BLOB,
                in_bundle_issued_at INTEGER,
                CHECK ((issued_at IS NULL) = (encoded IS NULL) AND (issued_at IS NULL) = (content IS NULL))
            ) WITHOUT ROWID;
            CREATE INDEX node_health_parent ON node_health(parent);
            CREATE INDEX node_health_unsent ON node_health(code) WHERE issued_at > forwarded_issued_at;
            CREATE INDEX node_health_in_bundle ON node_health(in_bundle) WHERE in_bundle IS NOT NULL;
            -- What changed since a reader last looked (`/ops/network` keeps the rest in memory).
            CREATE INDEX node_health_written ON node_health(written);
            """)
    }

    static func v16OperationsTallies(_ db: Database) throws {
        try db.execute(sql: """
            -- The operators' pages' figures kept as records and versions are written, so that a
            -- page reads a few hundred rows instead of grouping a province's whole records table
            -- (kept by triggers: every writer of records and changes keeps them alike).

            -- Records and late records by kind and jurisdiction.
            CREATE TABLE tally_area (
                kind TEXT NOT NULL, jurisdiction TEXT NOT NULL, records INTEGER NOT NULL, late INTEGER NOT NULL,
                PRIMARY KEY (kind, jurisdiction)
            ) WITHOUT ROWID;
            CREATE TRIGGER records_tally_area AFTER INSERT ON records BEGIN
                INSERT INTO tally_area VALUES (NEW.kind, NEW.jurisdiction, 1, NEW.late)
                ON CONFLICT (kind, jurisdiction) DO UPDATE SET records = records + 1, late = late + excluded.late;
            END;
            CREATE TRIGGER records_tally_area_moved AFTER UPDATE OF jurisdiction ON records WHEN NEW.jurisdiction IS NOT OLD.jurisdiction BEGIN
                UPDATE tally_area SET records = records - 1, late = late - OLD.late WHERE kind = OLD.kind AND jurisdiction = OLD.jurisdiction;
                INSERT INTO tally_area VALUES (NEW.kind, NEW.jurisdiction, 1, NEW.late)
                ON CONFLICT (kind, jurisdiction) DO UPDATE SET records = records + 1, late = late + excluded.late;
            END;

            -- Records and late records by kind and deciding authority: the credit code that is
            -- the second part of a 双公示 record's key (`kind|authority|number`).
            CREATE TABLE tally_authority (
                kind TEXT NOT NULL, authority TEXT NOT NULL, records INTEGER NOT NULL, late INTEGER NOT NULL,
                PRIMARY KEY (kind, authority)
            ) WITHOUT ROWID;
            CREATE TRIGGER records_tally_authority AFTER INSERT ON records BEGIN
                INSERT INTO tally_authority VALUES (
                    NEW.kind,
                    CASE WHEN instr(substr(NEW.record_key, length(NEW.kind) + 2), '|') > 0 THEN substr(substr(NEW.record_key, length(NEW.kind) + 2), 1, instr(substr(NEW.record_key, length(NEW.kind) + 2), '|') - 1) ELSE substr(NEW.record_key, length(NEW.kind) + 2) END,
                    1, NEW.late)
                ON CONFLICT (kind, authority) DO UPDATE SET records = records + 1, late = late + excluded.late;
            END;

            -- Versions of records (puts) entering the change log per China day (UTC+8).
            CREATE TABLE tally_day (day INTEGER PRIMARY KEY, versions INTEGER NOT NULL);
            CREATE TRIGGER changes_tally_day AFTER INSERT ON changes WHEN NEW.op = 'put' BEGIN
                INSERT INTO tally_day VALUES ((NEW.entered_at + 28800000) / 86400000, 1)
                ON CONFLICT (day) DO UPDATE SET versions = versions + 1;
            END;
            """)
        try db.execute(sql: tallyBackfillSQL)
    }

    /// The tallies of migration v16 computed from the records and the change log: what the
    /// migration fills them with, and what `NodeStore.tallyDiscrepancies` compares them to.
    static let tallyBackfillSQL = """
            INSERT INTO tally_area SELECT kind, jurisdiction, count(*), COALESCE(SUM(late), 0) FROM records GROUP BY kind, jurisdiction;
            INSERT INTO tally_authority
                SELECT kind, CASE WHEN instr(rest, '|') > 0 THEN substr(rest, 1, instr(rest, '|') - 1) ELSE rest END AS a, count(*), COALESCE(SUM(late), 0)
                FROM (SELECT kind, late, substr(record_key, length(kind) + 2) AS rest FROM records) GROUP BY kind, a;
            INSERT INTO tally_day SELECT (entered_at + 28800000) / 86400000, count(*) FROM changes WHERE op = 'put' GROUP BY 1;
            """

    static func v17ObjectionRequestCodes(_ db: Database) throws {
        try db.execute(sql: """
            -- The code a requester follows a request with on the portal (random, unguessable;
            -- the request's number alone shows nothing). Requests made before have none.
            ALTER TABLE objection_requests ADD COLUMN code TEXT CHECK (code IS NULL OR length(code) = 12);
            CREATE UNIQUE INDEX objection_requests_code ON objection_requests(code) WHERE code IS NOT NULL;
            """)
    }

    static func v18RecordsInForce(_ db: Database) throws {
        try db.execute(sql: """
            -- Whether a record's own fields keep it before the public under its kind's rule (a
            -- licence while 当前状态 = 1, a listing while 名单状态 = 有效; 1 for kinds without
            -- such a rule), written with every version like publicity_until, so that counts,
            -- listings and search apply the whole rule in SQL. `in_force_rules` names the rules
            -- the column was computed by (NULL: none yet): a node whose rules differ computes it
            -- again when it opens (`NodeStore.applyInForceRules`).
            ALTER TABLE records ADD COLUMN in_force INTEGER NOT NULL DEFAULT 1 CHECK (in_force IN (0, 1));
            ALTER TABLE node ADD COLUMN in_force_rules TEXT;
            """)
    }

    static func v19RepairRequests(_ db: Database) throws {
        try db.execute(sql: """
            -- A request from the public is an objection (异议申诉) or an application for credit
            -- repair (信用修复申请): the same form, code and decision; a repair granted is entered
            -- as the repair itself (a status change, synced).
            ALTER TABLE objection_requests ADD COLUMN purpose TEXT NOT NULL DEFAULT 'objection' CHECK (purpose IN ('objection', 'repair'));
            """)
    }

    static func v20PublicTally(_ db: Database) throws {
        try db.execute(sql: """
            -- Records by kind, state and whether in force, kept as records are written: the
            -- portal's home page counts what the public sees from a few rows (less the records
            -- past their publicity not yet marked expired, found through records_publicity)
            -- instead of counting a province's records.
            CREATE TABLE tally_public (
                kind TEXT NOT NULL, state TEXT NOT NULL, in_force INTEGER NOT NULL, records INTEGER NOT NULL,
                PRIMARY KEY (kind, state, in_force)
            ) WITHOUT ROWID;
            CREATE TRIGGER records_tally_public AFTER INSERT ON records BEGIN
                INSERT INTO tally_public VALUES (NEW.kind, NEW.state, NEW.in_force, 1)
                ON CONFLICT (kind, state, in_force) DO UPDATE SET records = records + 1;
            END;
            CREATE TRIGGER records_tally_public_changed AFTER UPDATE OF state, in_force ON records
            WHEN NEW.state IS NOT OLD.state OR NEW.in_force IS NOT OLD.in_force BEGIN
                UPDATE tally_public SET records = records - 1 WHERE kind = OLD.kind AND state = OLD.state AND in_force = OLD.in_force;
                INSERT INTO tally_public VALUES (NEW.kind, NEW.state, NEW.in_force, 1)
                ON CONFLICT (kind, state, in_force) DO UPDATE SET records = records + 1;
            END;
            """)
        try db.execute(sql: publicTallyBackfillSQL)
    }

    /// The tally of migration v20 computed from the records (`NodeStore.tallyDiscrepancies`
    /// compares them).
    static let publicTallyBackfillSQL = "INSERT INTO tally_public SELECT kind, state, in_force, count(*) FROM records GROUP BY kind, state, in_force;"

    static func v21Authorisations(_ db: Database) throws {
        try db.execute(sql: """
            -- 授权查询: a subject's authorisation, given at the credit office's window, for a
            -- named party to see the subject's records of the kinds disclosed only with its
            -- authorisation (个人信用积分). Kept at this node only, never synced. The code the
            -- subject hands over is kept as its SHA-256 digest (hex), never as typed.
            CREATE TABLE authorisations (
                id INTEGER PRIMARY KEY,
                subject TEXT NOT NULL,
                subject_name TEXT NOT NULL,
                grantee TEXT NOT NULL CHECK (length(grantee) BETWEEN 1 AND 100),
                purpose TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 100),
                kinds TEXT NOT NULL CHECK (length(kinds) > 0),
                code_digest TEXT NOT NULL UNIQUE CHECK (length(code_digest) = 64),
                issued_at INTEGER NOT NULL,
                issued_by TEXT NOT NULL,
                valid_from TEXT NOT NULL,
                valid_until TEXT NOT NULL CHECK (valid_until >= valid_from),
                revoked_at INTEGER,
                revoked_by TEXT,
                revoke_reason TEXT,
                CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
            );
            CREATE INDEX authorisations_subject ON authorisations(subject);
            -- Each query made with an authorisation: when, and how many records it showed (the
            -- subject may ask who looked, and when).
            CREATE TABLE authorisation_uses (
                id INTEGER PRIMARY KEY,
                authorisation INTEGER NOT NULL REFERENCES authorisations(id),
                at INTEGER NOT NULL,
                records INTEGER NOT NULL CHECK (records >= 0)
            );
            CREATE INDEX authorisation_uses_by ON authorisation_uses(authorisation, at);
            """)
    }

    static func v22GovernmentLookups(_ db: Database) throws {
        try db.execute(sql: """
            -- 政务共享 look-ups: every time a government body (an operator of this node, a
            -- department system, the local caller) read a subject's whole file — what the public
            -- does not see, ratings and stopped records — who, when, for what (查询事由), and how
            -- many records it showed. Kept at this node only, never synced.
            CREATE TABLE government_lookups (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                subject TEXT NOT NULL,
                reader TEXT NOT NULL,
                purpose TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 100),
                records INTEGER NOT NULL CHECK (records >= 0)
            );
            CREATE INDEX government_lookups_subject ON government_lookups(subject, at);
            """)
    }

    static func v23CommitmentFollowUp(_ db: Database) throws {
        try db.execute(sql: """
            -- 信用承诺履约: what the office follows up — commitments by area, accepting unit (受理单位),
            -- type and fulfilment (履约情况, '' until checked), and each one not kept in full
            -- (unchecked or broken) with its date — kept by triggers that read the commitment's own
            -- fields, created from the catalogue's fulfilment rule when the node opens
            -- (`NodeStore.applyCommitmentRule`; `commitment_rule` names the rule they follow).
            -- Withdrawn commitments count nowhere.
            CREATE TABLE tally_commitment (
                jurisdiction TEXT NOT NULL, acceptor TEXT NOT NULL, type TEXT NOT NULL, fulfilment TEXT NOT NULL, records INTEGER NOT NULL,
                PRIMARY KEY (jurisdiction, acceptor, type, fulfilment)
            ) WITHOUT ROWID;
            CREATE TABLE commitment_follow_up (
                record_id INTEGER PRIMARY KEY,
                jurisdiction TEXT NOT NULL,
                acceptor TEXT NOT NULL,
                committed_on TEXT NOT NULL,
                fulfilment TEXT NOT NULL
            );
            CREATE INDEX commitment_follow_up_date ON commitment_follow_up(committed_on, record_id);
            -- Each accepting unit's name, as its latest commitment gives it.
            CREATE TABLE commitment_acceptors (code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
            ALTER TABLE node ADD COLUMN commitment_rule TEXT;
            """)
    }

    static func v24GovernmentBodies(_ db: Database) throws {
        try db.execute(sql: """
            -- 政务诚信: the records about government bodies — subjects whose credit code was
            -- registered by 机构编制 (1, then 1 机关, 2 事业单位, 3 群团组织 or 9 其他), not a
            -- natural person (resident ID numbers of Beijing, Tianjin and Hebei begin 11, 12 and
            -- 13 too: the record's own 相对人类别 tells them apart) — so that the office's ledger
            -- reads these few rows, not every record. Kept by triggers whatever path writes records;
            -- whether a record is a case to follow up (in force, in publicity, a commitment broken)
            -- is decided when the ledger is read.
            CREATE TABLE government_records (
                record_id INTEGER PRIMARY KEY,
                subject TEXT NOT NULL,
                jurisdiction TEXT NOT NULL
            );
            CREATE TRIGGER records_government_added AFTER INSERT ON records
            WHEN NEW.subject_code GLOB '1[1239]*' AND length(NEW.subject_code) = 18
            BEGIN
                INSERT INTO government_records (record_id, subject, jurisdiction)
                SELECT NEW.id, NEW.subject_code, NEW.jurisdiction WHERE NOT EXISTS (
                    SELECT 1 FROM changes c, json_each(c.body) j
                    WHERE c.id = NEW.content_change AND j.key LIKE '%XDR\\_LB' ESCAPE '\\' AND j.value = '自然人');
            END;
            CREATE TRIGGER records_government_changed AFTER UPDATE OF subject_code, content_change, jurisdiction ON records
            WHEN (OLD.subject_code GLOB '1[1239]*' AND length(OLD.subject_code) = 18) OR (NEW.subject_code GLOB '1[1239]*' AND length(NEW.subject_code) = 18)
            BEGIN
                DELETE FROM government_records WHERE record_id = OLD.id;
                INSERT INTO government_records (record_id, subject, jurisdiction)
                SELECT NEW.id, NEW.subject_code, NEW.jurisdiction WHERE NEW.subject_code GLOB '1[1239]*' AND length(NEW.subject_code) = 18 AND NOT EXISTS (
                    SELECT 1 FROM changes c, json_each(c.body) j
                    WHERE c.id = NEW.content_change AND j.key LIKE '%XDR\\_LB' ESCAPE '\\' AND j.value = '自然人');
            END;
            INSERT INTO government_records (record_id, subject, jurisdiction)
            SELECT r.id, r.subject_code, r.jurisdiction FROM records r
            WHERE r.subject_code GLOB '1[1239]*' AND length(r.subject_code) = 18 AND NOT EXISTS (
                SELECT 1 FROM changes c, json_each(c.body) j
                WHERE c.id = r.content_change AND j.key LIKE '%XDR\\_LB' ESCAPE '\\' AND j.value = '自然人');
            """)
    }

    static func v25FormerCodes(_ db: Database) throws {
        // The rows of a record (`id`) whose current version is the change `c`: each former code its
        // body gives (the key's last eight characters name the field, what precedes them is the
        // kind's prefix), with the credit code the same body gives. One pattern match on the body
        // comes first: it matches the five keys and a few that are none, `json_each` sorts them out.
        func rows(id: String, from: String) -> String {
            """
            INSERT INTO former_codes (record_id, field, code, uscc)
            SELECT \(id), substr(j.key, -8), upper(replace(replace(trim(j.value), '-', ''), ' ', '')),
                nullif(json_extract(c.body, '$."' || substr(j.key, 1, length(j.key) - 8) || 'XDR_SHXYM"'), '')
            FROM \(from), json_each(c.body) j
            WHERE c.body GLOB '*XDR_[GSZ][SZWYH][ZJD][CGJWZ]"*'
                AND substr(j.key, -8) IN ('XDR_GSZC', 'XDR_ZZJG', 'XDR_SWDJ', 'XDR_SYDW', 'XDR_SHZZ') AND length(trim(j.value)) > 0
            """
        }
        try db.execute(sql: """
            -- 新旧代码映射: the codes an organisation had before its unified social credit code
            -- (工商注册号, 组织机构代码, 税务登记号, 事业单位证书号, 社会组织登记证号) as records
            -- give them (upper case, without '-' or spaces: `12345678-9` is `123456789`), each with
            -- the credit code the same record gives (NULL: the record was filed under the former
            -- code alone). A record giving both declares the mapping; the tiers above derive the
            -- same from the same records. Kept by triggers whatever path writes records.
            CREATE TABLE former_codes (
                record_id INTEGER NOT NULL,
                field TEXT NOT NULL CHECK (field IN ('XDR_GSZC', 'XDR_ZZJG', 'XDR_SWDJ', 'XDR_SYDW', 'XDR_SHZZ')),
                code TEXT NOT NULL CHECK (length(code) > 0),
                uscc TEXT CHECK (uscc IS NULL OR length(uscc) = 18),
                PRIMARY KEY (record_id, field)
            ) WITHOUT ROWID;
            CREATE INDEX former_codes_code ON former_codes(code);
            CREATE INDEX former_codes_uscc ON former_codes(uscc) WHERE uscc IS NOT NULL;
            CREATE TRIGGER records_former_codes_added AFTER INSERT ON records
            BEGIN
                \(rows(id: "NEW.id", from: "changes c")) AND c.id = NEW.content_change;
            END;
            CREATE TRIGGER records_former_codes_changed AFTER UPDATE OF content_change ON records
            BEGIN
                DELETE FROM former_codes WHERE record_id = OLD.id;
                \(rows(id: "NEW.id", from: "changes c")) AND c.id = NEW.content_change;
            END;
            \(rows(id: "r.id", from: "records r JOIN changes c ON c.id = r.content_change"));
            -- An organisation's code 组织机构代码 is positions 9–17 of its credit code: found
            -- from a former code typed into the search without reading records.
            CREATE INDEX subjects_organisation ON subjects(substr(code, 9, 9)) WHERE length(code) = 18;
            """)
    }

    static func v26SubjectRenamedByGrams(_ db: Database) throws {
        try db.execute(sql: """
            -- A subject renamed (a record giving another name for its code) dropped its grams with
            -- `WHERE subject_id = OLD.id`, which the key (gram, subject_id) cannot answer: a scan of
            -- every subject's grams for each rename (measured: 20,000 renames among 100,000
            -- records took an ingest from 5.5 s to 150 s). The old name's own grams are deleted by
            -- the key instead — the ones its insert wrote.
            DROP TRIGGER subjects_renamed;
            CREATE TRIGGER subjects_renamed AFTER UPDATE OF name ON subjects
            BEGIN
                INSERT INTO subject_fts (subject_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
                INSERT INTO subject_fts (rowid, name) VALUES (NEW.id, NEW.name);
                DELETE FROM subject_grams WHERE subject_id = OLD.id AND gram IN (
                    SELECT substr(OLD.name, n, 1) FROM gram_positions WHERE n <= length(OLD.name)
                    UNION SELECT substr(OLD.name, n, 2) FROM gram_positions WHERE n < length(OLD.name));
                INSERT OR IGNORE INTO subject_grams (gram, subject_id)
                SELECT substr(NEW.name, n, 1), NEW.id FROM gram_positions WHERE n <= length(NEW.name)
                UNION SELECT substr(NEW.name, n, 2), NEW.id FROM gram_positions WHERE n < length(NEW.name);
            END;
            """)
    }

    static func v27RecordsThatMoved(_ db: Database) throws {
        try db.execute(sql: """
            -- A record whose versions named different areas (a correction that moved it to another
            -- village, or two origins that disagree): every area any version named here. Its
            -- changes go to every child holding one of them (`Router`). Most records never move:
            -- the table stays small.
            CREATE TABLE record_areas (
                record_key TEXT NOT NULL,
                jurisdiction TEXT NOT NULL CHECK (length(jurisdiction) = 12 AND jurisdiction NOT GLOB '*[^0-9]*'),
                PRIMARY KEY (record_key, jurisdiction)
            ) WITHOUT ROWID;

            -- A child's pulls follow positions of this node's down stream instead of change ids,
            -- so that a change this node holds already can be given to a child again later (the
            -- winning version of a record that now concerns it). Existing rows keep their change
            -- id as position, so every child's cursor stays where it was; later rows take the
            -- next position, which is the change id unless an earlier change was given again.
            CREATE TABLE down_positions (last INTEGER NOT NULL);
            INSERT INTO down_positions (last) SELECT coalesce(max(change_id), 0) FROM relevance;
            CREATE TABLE relevance_by_position (
                area TEXT NOT NULL CHECK (area = '*' OR (length(area) = 12 AND area NOT GLOB '*[^0-9]*')),
                position INTEGER NOT NULL,
                change_id INTEGER NOT NULL REFERENCES changes(id),
                PRIMARY KEY (area, position)
            ) WITHOUT ROWID;
            INSERT INTO relevance_by_position (area, position, change_id) SELECT area, change_id, change_id FROM relevance;
            DROP TABLE relevance;
            ALTER TABLE relevance_by_position RENAME TO relevance;
            CREATE TRIGGER relevance_position_backwards BEFORE INSERT ON relevance
            WHEN NEW.position <= (SELECT last FROM down_positions)
            BEGIN
                SELECT RAISE(ABORT, 'a position of the down stream is taken once, in order');
            END;
            CREATE TRIGGER relevance_position_taken AFTER INSERT ON relevance
            BEGIN
                UPDATE down_positions SET last = NEW.position;
            END;
            """)
    }

    static func v28RecordsThatMovedEverywhere(_ db: Database) throws {
        try db.execute(sql: """
            -- A village keeps the areas of a record that moved too (v27 kept them only at nodes
            -- with children): its public listings leave out a record now lying elsewhere. A
            -- record that moved before this migration is found from its versions: one pass over
            -- the change log, each put looked up by its record's key.
            INSERT OR IGNORE INTO record_areas (record_key, jurisdiction)
            SELECT c.record_key, c.jurisdiction FROM changes c JOIN records r ON r.record_key = c.record_key
            WHERE c.op = 'put' AND c.jurisdiction <> r.jurisdiction;
            INSERT OR IGNORE INTO record_areas (record_key, jurisdiction)
            SELECT r.record_key, r.jurisdiction FROM records r WHERE r.record_key IN (SELECT record_key FROM record_areas);
            """)
    }

    static func v29RecordsUnderObjection(_ db: Database) throws {
        try db.execute(sql: """
            -- The records under objection, few beside the rest: the office's list of objections
            -- to decide, and its count of those past their time limit, read only these.
            CREATE INDEX records_objected ON records(record_key) WHERE state = 'objected';
            """)
    }

    static func v30TheObjectionARequestOpened(_ db: Database) throws {
        try db.execute(sql: """
            -- The objection an accepted request belongs to (its opening's origin:seq): its
            -- requester follows that objection to its closing, whatever is opened on the record
            -- later. Requests accepted before this version get the latest opening entered by the
            -- time they were accepted.
            ALTER TABLE objection_requests ADD COLUMN opening TEXT;
            UPDATE objection_requests SET opening = (
                SELECT c.origin || ':' || c.seq FROM changes c INDEXED BY changes_status
                WHERE c.record_key = objection_requests.record_key AND c.op = 'status'
                AND json_extract(c.body, '$.action') = 'objection-opened' AND c.entered_at <= objection_requests.decided_at
                ORDER BY c.hlc DESC LIMIT 1)
            WHERE purpose = 'objection' AND state = 'accepted';
            """)
    }

    static func v31ObjectionsOpenPastPublicity(_ db: Database) throws {
        try db.execute(sql: """
            -- Whether an objection on the record waits for its unit's decision: the records under
            -- objection, and those whose publicity ended while their objection was open (their
            -- state is expired; the office still decides and closes the objection). Kept with the
            -- state by every status change (`refreshState`); the office's list and count read
            -- these records only. An expired record's objection is open when the last objection
            -- change by (HLC, origin) opened one: one pass over the expired records.
            ALTER TABLE records ADD COLUMN objection_open INTEGER NOT NULL DEFAULT 0;
            UPDATE records SET objection_open = 1 WHERE state = 'objected';
            UPDATE records SET objection_open = 1 WHERE state = 'expired' AND (
                SELECT json_extract(s.body, '$.action') FROM changes s INDEXED BY changes_status
                WHERE s.record_key = records.record_key AND s.op = 'status'
                AND json_extract(s.body, '$.action') IN ('objection-opened', 'objection-closed')
                ORDER BY s.hlc DESC, s.origin DESC LIMIT 1) = 'objection-opened';
            DROP INDEX records_objected;
            CREATE INDEX records_objected ON records(record_key) WHERE objection_open = 1;
            """)
    }

    static func v32OwnSeqsRestartedAtTheTop(_ db: Database) throws {
        try db.execute(sql: """
            -- The seq this node's own changes go on past, set by `recover` at the top restored
            -- from a backup (`OwnSeqs`): its next own change takes own_seq_floor + 1 when its log
            -- ends below; 0 for every other node. The gap-free rule allows that one step.
            ALTER TABLE node ADD COLUMN own_seq_floor INTEGER NOT NULL DEFAULT 0 CHECK (own_seq_floor >= 0);
            DROP TRIGGER changes_gap_free;
            CREATE TRIGGER changes_gap_free BEFORE INSERT ON changes
            WHEN NEW.downward = 0 AND NEW.seq <> max(
                COALESCE((SELECT MAX(seq) FROM changes WHERE origin = NEW.origin), 0),
                COALESCE((SELECT own_seq_floor FROM node WHERE code = NEW.origin), 0)) + 1
            BEGIN SELECT RAISE(ABORT, 'change log: seq must follow the origin''s last seq without a gap'); END;
            -- The set that holds the first change past the floor follows the last set sealed
            -- before (naming its hash), or nothing when there is none.
            DROP TRIGGER outbox_chain;
            CREATE TRIGGER outbox_chain BEFORE INSERT ON outbox
            WHEN NOT (
                (length(NEW.previous_hash) = 0 AND NOT EXISTS (SELECT 1 FROM outbox WHERE origin = NEW.origin)
                 AND NEW.first_seq - 1 = COALESCE((SELECT own_seq_floor FROM node WHERE code = NEW.origin), 0))
                OR EXISTS (SELECT 1 FROM outbox WHERE origin = NEW.origin AND hash = NEW.previous_hash
                           AND last_seq = (SELECT MAX(last_seq) FROM outbox WHERE origin = NEW.origin)
                           AND (last_seq = NEW.first_seq - 1
                                OR (last_seq < NEW.first_seq - 1 AND NEW.first_seq - 1 = (SELECT own_seq_floor FROM node WHERE code = NEW.origin))))
            )
            BEGIN SELECT RAISE(ABORT, 'outbox: a change set must continue its origin''s chain (seq and previous hash)'); END;
            """)
    }

    static func v33ArticlesByTheirWords(_ db: Database) throws {
        try db.execute(sql: """
            -- 信用动态 searched by words (`/news?q=`). Chinese has no spaces between words, and
            -- most words have two characters: each article's 标题 and 正文 (the fields *_BT and
            -- *_ZW of the kind `news`) are indexed as every pair of neighbouring characters (the
            -- last one alone), each pair a token of FTS5's own tokenizer, which folds letters'
            -- case and drops punctuation. A term of one character is a token prefix, of two a
            -- token, longer ones every pair of it (then the text itself confirms the pairs are
            -- neighbours). The index holds no text (contentless) and no positions (detail=none):
            -- what it costs is a few bytes per character. Kept in step by triggers whatever path
            -- writes the record (ingest, a child's set, a pull); a version replaced is taken out
            -- with the pairs of its own change, which the append-only log still holds.
            CREATE VIRTUAL TABLE article_grams USING fts5(grams, content='', detail=none);
            -- Positions 1…10,101 (a title of 100 characters, a line break, a text of 10,000).
            CREATE TABLE article_positions (n INTEGER PRIMARY KEY);
            WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 10101) INSERT INTO article_positions SELECT n FROM i;
            -- A change's title and text, one line each.
            CREATE VIEW change_article_text AS
            SELECT c.id AS change_id,
                COALESCE((SELECT j.value FROM json_each(c.body) j WHERE j.key LIKE '%\\_BT' ESCAPE '\\' LIMIT 1), '') || char(10)
                || COALESCE((SELECT j.value FROM json_each(c.body) j WHERE j.key LIKE '%\\_ZW' ESCAPE '\\' LIMIT 1), '') AS text
            FROM changes c;
            -- The text being indexed, written down first (triggers cannot hold a WITH): read from
            -- a view each pair would parse the change again. Empty between statements.
            CREATE TABLE article_scratch (record_id INTEGER PRIMARY KEY, text TEXT NOT NULL, len INTEGER NOT NULL);
            CREATE VIEW article_scratch_grams AS
            SELECT s.record_id, (SELECT group_concat(substr(s.text, p.n, 2), ' ') FROM article_positions p WHERE p.n <= s.len) AS grams
            FROM article_scratch s;
            CREATE TRIGGER records_article_added AFTER INSERT ON records WHEN NEW.kind = 'news'
            BEGIN
                INSERT INTO article_scratch SELECT NEW.id, text, length(text) FROM change_article_text WHERE change_id = NEW.content_change;
                INSERT INTO article_grams (rowid, grams) SELECT record_id, grams FROM article_scratch_grams;
                DELETE FROM article_scratch;
            END;
            CREATE TRIGGER records_article_changed AFTER UPDATE OF content_change ON records WHEN NEW.kind = 'news'
            BEGIN
                INSERT INTO article_scratch SELECT OLD.id, text, length(text) FROM change_article_text WHERE change_id = OLD.content_change;
                INSERT INTO article_grams (article_grams, rowid, grams) SELECT 'delete', record_id, grams FROM article_scratch_grams;
                DELETE FROM article_scratch;
                INSERT INTO article_scratch SELECT NEW.id, text, length(text) FROM change_article_text WHERE change_id = NEW.content_change;
                INSERT INTO article_grams (rowid, grams) SELECT record_id, grams FROM article_scratch_grams;
                DELETE FROM article_scratch;
            END;
            CREATE TRIGGER records_article_removed AFTER DELETE ON records WHEN OLD.kind = 'news'
            BEGIN
                INSERT INTO article_scratch SELECT OLD.id, text, length(text) FROM change_article_text WHERE change_id = OLD.content_change;
                INSERT INTO article_grams (article_grams, rowid, grams) SELECT 'delete', record_id, grams FROM article_scratch_grams;
                DELETE FROM article_scratch;
            END;
            INSERT INTO article_scratch
            SELECT r.id, t.text, length(t.text) FROM records r JOIN change_article_text t ON t.change_id = r.content_change WHERE r.kind = 'news';
            INSERT INTO article_grams (rowid, grams) SELECT record_id, grams FROM article_scratch_grams;
            DELETE FROM article_scratch;
            """)
    }

    static func v34Complaints(_ db: Database) throws {
        try db.execute(sql: """
            -- Reports of dishonest conduct (失信举报) the public made on the portal: kept at this
            -- node only — they may name their reporter, who is protected, and are never synced.
            -- The office accepts one and hands it to the unit that deals with it, or refuses it
            -- with a reason; the accepted are closed with what the unit found and the reply the
            -- reporter reads with their follow-up code.
            CREATE TABLE complaints (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                code TEXT NOT NULL UNIQUE CHECK (length(code) = 12),
                subject_name TEXT NOT NULL CHECK (length(subject_name) BETWEEN 1 AND 100),
                subject_code TEXT CHECK (subject_code IS NULL OR length(subject_code) = 18),
                category TEXT NOT NULL CHECK (length(category) BETWEEN 1 AND 20),
                region TEXT CHECK (region IS NULL OR length(region) = 12),
                occurred TEXT CHECK (occurred IS NULL OR length(occurred) = 10),
                content TEXT NOT NULL CHECK (length(content) BETWEEN 1 AND 2000),
                reporter TEXT CHECK (reporter IS NULL OR length(reporter) BETWEEN 1 AND 50),
                contact TEXT CHECK (contact IS NULL OR length(contact) BETWEEN 1 AND 100),
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'refused', 'closed')),
                unit TEXT,
                accepted_at INTEGER,
                decided_at INTEGER,
                decision TEXT,
                finding TEXT CHECK (finding IS NULL OR finding IN ('substantiated', 'partly', 'unfounded')),
                record_key TEXT,
                CHECK ((state = 'pending') = (accepted_at IS NULL AND decided_at IS NULL)),
                CHECK ((state = 'accepted') = (accepted_at IS NOT NULL AND decided_at IS NULL)),
                CHECK ((state IN ('accepted', 'closed')) = (unit IS NOT NULL)),
                CHECK ((state = 'closed') = (finding IS NOT NULL))
            );
            -- The reports by state, time and category: the pages list the oldest of a state in
            -- its order, and count them (those to answer, the year's) from it alone.
            CREATE INDEX complaints_by_state ON complaints(state, at, category);
            -- The answered (refused or closed: those with an answer), the latest answer first.
            CREATE INDEX complaints_answered ON complaints(decided_at) WHERE decided_at IS NOT NULL;
            """)
    }

    static func v35LoanRequests(_ db: Database) throws {
        try db.execute(sql: """
            -- Businesses' requests for a 信易贷 product (融资需求), made on the portal: kept at this
            -- node only — they name a person to call and are never synced. Each authorises the
            -- product's institution to see the business's credit record here. The office (or the
            -- institution through it) notes who took the request up, then the loan granted (its
            -- amount, in yuan) or declined with the reason the business reads with its code.
            CREATE TABLE loan_requests (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                code TEXT NOT NULL UNIQUE CHECK (length(code) = 12),
                product_key TEXT NOT NULL CHECK (length(product_key) > 0),
                product_name TEXT NOT NULL CHECK (length(product_name) BETWEEN 1 AND 100),
                lender TEXT NOT NULL CHECK (length(lender) BETWEEN 1 AND 200),
                lender_code TEXT NOT NULL CHECK (length(lender_code) = 18),
                company TEXT NOT NULL CHECK (length(company) BETWEEN 1 AND 100),
                company_code TEXT NOT NULL CHECK (length(company_code) = 18),
                contact_name TEXT NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 50),
                phone TEXT NOT NULL CHECK (length(phone) BETWEEN 5 AND 30),
                amount INTEGER NOT NULL CHECK (amount > 0),
                term_months INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 360),
                purpose TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'contacted', 'granted', 'declined')),
                handler TEXT,
                contacted_at INTEGER,
                decided_at INTEGER,
                granted INTEGER CHECK (granted IS NULL OR granted > 0),
                decision TEXT,
                CHECK ((state = 'pending') = (contacted_at IS NULL AND decided_at IS NULL AND handler IS NULL)),
                CHECK ((state = 'contacted') = (contacted_at IS NOT NULL AND decided_at IS NULL)),
                CHECK (state NOT IN ('contacted', 'granted') OR handler IS NOT NULL),
                CHECK ((state = 'granted') = (granted IS NOT NULL)),
                CHECK ((state = 'declined') <= (decision IS NOT NULL))
            );
            -- The requests by state and time: the oldest of a state listed in its order, and
            -- counted (those to take up, the year's) from it alone.
            CREATE INDEX loan_requests_by_state ON loan_requests(state, at);
            -- The year's counts by state and institution, and the businesses that asked: each read
            -- from an index alone, in the order it groups by (no sort).
            CREATE INDEX loan_requests_by_lender ON loan_requests(state, lender_code, at, amount, granted, lender);
            CREATE INDEX loan_requests_by_company ON loan_requests(company_code, at);
            -- The answered (granted or declined), the latest answer first.
            CREATE INDEX loan_requests_answered ON loan_requests(decided_at) WHERE decided_at IS NOT NULL;
            """)
    }

    /// The records of the kinds keyed by their authority's credit code and their document number
    /// (决定文书号), found by the number as the public types it: `DocumentNumber.sql(of:)` of the
    /// record key's tail — written out here as it was when the index was made; the store's tests
    /// compare it with what the query writes.
    static func v36RecordsByDocumentNumber(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX records_document_number ON records(
                upper(CASE WHEN substr(record_key, length(kind) + 21) GLOB '*[] \u{3000}(（[［【〖﹝)）］】〗﹞]*' THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(substr(record_key, length(kind) + 21), ' ', ''), '\u{3000}', ''), '(', '〔'), '（', '〔'), '[', '〔'), '［', '〔'), '【', '〔'), '〖', '〔'), '﹝', '〔'), ')', '〕'), '）', '〕'), ']', '〕'), '］', '〕'), '】', '〕'), '〗', '〕'), '﹞', '〕') ELSE substr(record_key, length(kind) + 21) END)
            ) WHERE kind IN ('license', 'penalty', 'enforcement', 'confirmation', 'reward', 'adjudication', 'inspection', 'blacklist', 'redlist', 'rating');
            """)
    }

    /// The subjects in the order of their names, for the search by name: the names that begin
    /// with what was typed come first, read as a range of this index (`NodeStore.searchSubjects`).
    static func v37SubjectsByName(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX subjects_name ON subjects(name)")
    }

    /// Whether the institution itself took a request up or answered it, from its own system with
    /// its certificate (金融机构入驻), rather than the office for it; counted by institution from a
    /// partial index of those alone.
    static func v38LoanRequestsByInstitutions(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE loan_requests ADD COLUMN by_institution INTEGER NOT NULL DEFAULT 0 CHECK (by_institution IN (0, 1));
            CREATE INDEX loan_requests_by_institutions ON loan_requests(lender_code, at) WHERE by_institution = 1;
            """)
    }

    /// The files the public attaches to what it sends at this node's portal — a report of
    /// dishonest conduct (举报材料: `owner` complaint) or an objection or repair application
    /// (证明材料: `owner` request), photos or PDFs — kept with it, in the transaction that keeps it,
    /// at this node only.
    static func v39Attachments(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE attachments (
                id INTEGER PRIMARY KEY,
                owner TEXT NOT NULL CHECK (owner IN ('complaint', 'request')),
                owner_id INTEGER NOT NULL,
                position INTEGER NOT NULL CHECK (position >= 1),
                name TEXT NOT NULL CHECK (length(name) > 0),
                type TEXT NOT NULL CHECK (type IN ('image/jpeg', 'image/png', 'application/pdf')),
                size INTEGER NOT NULL CHECK (size = length(bytes) AND size > 0),
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                bytes BLOB NOT NULL,
                UNIQUE (owner, owner_id, position)
            );
            """)
    }
}
