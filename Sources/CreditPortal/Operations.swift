import CreditDomain
import CreditStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NodeRuntime

/// The operators' pages, served on the records listener beside the records (`RecordsServer`'s
/// `routes`): local only by default, and exposed only to an operator's certificate of this node
/// (`SyncRequestContext.operatorCaller`). Server-rendered from the portal's templates and styles,
/// each page also answers as JSON with `?format=json`. Forms that change something (数据报送,
/// the work queue's decisions, 授权查询) carry the page's token (`formPage`, `changeForm`).
public struct Operations: Sendable {
    let portal: Portal
    let pages: OperationsPages

    /// What an operator reads at an address under /ops with no page.
    static let noSuchPage = "运维页面中没有这个地址：请从数据归集总览（/ops/）进入。No operator page at this address; start from /ops/."

    public init(node: NodeContext) throws {
        portal = try Portal(node: node)
        pages = OperationsPages(node: node)
    }

    /// Adds `/ops/`, `/ops/quality`, `/ops/reconcile` and `/ops/static/…` to the records listener's router.
    public func register(on router: Router<SyncRequestContext>) {
        let ops = self
        let node = portal.node
        // The portal's security headers (CSP without script, no framing, no referrer) on every
        // page, and refusals and unknown addresses under /ops answered as pages (the records API
        // beside them keeps its JSON errors).
        router.add(middleware: SecurityHeaders())
        router.add(
            middleware: ErrorPages(under: "/ops", notFound: Self.noSuchPage) { failure, json, context in
                // Who is refused, when the certificate says (the operators' own pages name their reader).
                let reader = (try? await context.operatorCaller(node)).map(Self.name) ?? "未获授权的来访者"
                return ops.failure(failure, json: json, reader: reader)
            })
        let router = router.group("/ops")
        router.get { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.respond(request, template: "ops-collection") { now in try ops.pages.collection(reader: Self.name(reader), now: now) }
        }
        router.get("quality") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.respond(request, template: "ops-quality") { now in try ops.pages.quality(reader: Self.name(reader), now: now) }
        }
        router.get("records") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            return await ops.respond(request, template: "ops-records") { now in
                try ops.pages.records(
                    reader: Self.name(reader), now: now, kind: form["kind"], region: form["region"], late: form["late"] == "1",
                    corrected: form["corrected"] == "1", number: form["number"], after: Int64(form["after"] ?? "") ?? 0)
            }
        }
        router.get("bulletin") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            if form["format"] == "csv" { return await ops.bulletinCSV(month: form["month"]) }
            return await ops.respond(request, template: "ops-bulletin") { now in
                try ops.pages.bulletin(reader: Self.name(reader), now: now, month: form["month"])
            }
        }
        router.get("trend") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            if form["format"] == "csv" { return await ops.trendCSV(to: form["to"], months: form["months"]) }
            return await ops.respond(request, template: "ops-trend") { now in
                try ops.pages.trend(reader: Self.name(reader), now: now, to: form["to"], months: form["months"])
            }
        }
        router.get("commitments") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            if form["format"] == "csv" { return await ops.commitmentsCSV(region: form["region"], acceptor: form["acceptor"]) }
            return await ops.respond(request, template: "ops-commitments") { now in
                try ops.pages.commitments(
                    reader: Self.name(reader), now: now, region: form["region"], acceptor: form["acceptor"], after: form["after"])
            }
        }
        router.get("integrity") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            if FormValues(request.uri.query)["format"] == "csv" { return await ops.integrityCSV() }
            return await ops.respond(request, template: "ops-integrity") { now in try ops.pages.integrity(reader: Self.name(reader), now: now) }
        }
        router.get("feedback") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            if form["format"] == "csv" { return await ops.feedbackCSV(month: form["month"]) }
            return await ops.respond(request, template: "ops-feedback") { now in
                try ops.pages.feedback(reader: Self.name(reader), now: now, month: form["month"])
            }
        }
        router.get("creation") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            if form["format"] == "csv" {
                let pages = ops.pages
                return await ops.csvAnswer(name: "三信创建", fallback: "creation") { now in try pages.creationCSV(year: form["year"], now: now) }
            }
            return await ops.respond(request, template: "ops-creation") { now in
                try ops.pages.creation(reader: Self.name(reader), now: now, year: form["year"])
            }
        }
        router.get("warnings") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.respond(request, template: "ops-warnings") { now in try ops.pages.warnings(reader: Self.name(reader), now: now) }
        }
        router.get("repair") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            if FormValues(request.uri.query)["format"] == "csv" {
                let pages = ops.pages
                return await ops.csvAnswer(name: "信用修复提醒名单", fallback: "repair") { now in try pages.repairCSV(now: now) }
            }
            return await ops.respond(request, template: "ops-repair") { now in try ops.pages.repair(reader: Self.name(reader), now: now) }
        }
        router.get("incentives") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            if FormValues(request.uri.query)["format"] == "csv" {
                let pages = ops.pages
                return await ops.csvAnswer(name: "信易+激励场景", fallback: "incentives") { now in try pages.incentivesCSV(now: now) }
            }
            return await ops.respond(request, template: "ops-incentives") { now in try ops.pages.incentives(reader: Self.name(reader), now: now) }
        }
        router.get("codes") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            if FormValues(request.uri.query)["format"] == "csv" {
                let pages = ops.pages
                return await ops.csvAnswer(name: "新旧代码转换", fallback: "codes") { now in try pages.codesCSV(now: now) }
            }
            return await ops.respond(request, template: "ops-codes") { now in try ops.pages.codes(reader: Self.name(reader), now: now) }
        }
        router.get("supervision") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            if form["format"] == "csv" {
                let pages = ops.pages
                return await ops.csvAnswer(name: "信用分级分类监管", fallback: "supervision") { now in try pages.supervisionCSV(year: form["year"], now: now)
                }
            }
            return await ops.respond(request, template: "ops-supervision") { now in
                try ops.pages.supervision(reader: Self.name(reader), now: now, year: form["year"])
            }
        }
        router.get("lists") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            if form["format"] == "csv" { return await ops.listsCSV(show: form["show"], region: form["region"]) }
            return await ops.respond(request, template: "ops-lists") { now in
                try ops.pages.lists(reader: Self.name(reader), now: now, show: form["show"], region: form["region"])
            }
        }
        router.get("network") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            return await ops.respond(request, template: "ops-network") { now in
                try ops.pages.network(reader: Self.name(reader), now: now, under: form["under"], query: form["q"] ?? "")
            }
        }
        router.get("quarantine") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            let form = FormValues(request.uri.query)
            let ingest = form["ingest"].flatMap { Int64($0) }
            if form["format"] == "csv" { return await ops.quarantineCSV(reader: Self.name(reader), ingest: ingest) }
            return await ops.respond(request, template: "ops-quarantine") { now in
                try ops.pages.quarantine(reader: Self.name(reader), now: now, ingest: ingest)
            }
        }
        router.get("work") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.formPage(request, template: "ops-work") { now, token in
                try ops.pages.work(reader: Self.name(reader), now: now, csrf: token)
            }
        }
        router.get("work/requests/{id}/evidence/{position}") { _, context -> Response in
            _ = try await context.operatorCaller(node)
            return await ops.attachment(
                of: .request, Int64(context.parameters.get("id") ?? "") ?? 0, position: Int(context.parameters.get("position") ?? "") ?? 0)
        }
        router.post("work/requests/{id}/{action}") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            return await ops.decide(
                request, id: Int64(context.parameters.get("id") ?? "") ?? 0, action: context.parameters.get("action") ?? "", actor: actor)
        }
        router.post("work/objections/{id}/{action}") { request, context -> Response in
            let actor = try await context.operatorCaller(node)
            let action: StatusAction? =
                switch context.parameters.get("action") {
                case "close": .objectionClosed
                case "assist": .objectionAssisted
                default: nil
                }
            guard let action else { throw HTTPError(.notFound) }
            return await ops.decideObjection(request, row: Int64(context.parameters.get("id") ?? "") ?? 0, action: action, actor: actor)
        }
        ops.registerAuthorisations(on: router)
        ops.registerSubjects(on: router)
        ops.registerUpload(on: router)
        ops.registerCases(on: router)
        ops.registerNews(on: router)
        ops.registerComplaints(on: router)
        ops.registerLoans(on: router)
        router.get("reconcile") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.respond(request, template: "ops-reconcile") { now in try ops.pages.reconcile(reader: Self.name(reader), now: now) }
        }
        router.post("reconcile") { request, context -> Response in
            let reader = try await context.operatorCaller(node)
            return await ops.reconcile(request, reader: Self.name(reader))
        }
        router.get("static/{name}") { _, context -> Response in
            _ = try await context.operatorCaller(node)
            return ops.portal.asset(context.parameters.get("name") ?? "")
        }
    }

    /// `GET /ops/quarantine?format=csv`: the refused rows for the departments to correct and send
    /// again — each with its file, line, kind and reasons, and the row as received with resident
    /// ID numbers masked (the department holds the original); `ingest`: one run's rows only.
    func quarantineCSV(reader: String, ingest: Int64? = nil) async -> Response {
        let pages = self.pages
        let now = portal.clock()
        let result = await BlockingWork.page { () throws -> [UInt8] in
            let page = try pages.quarantine(reader: reader, now: now, ingest: ingest, limit: Portal.csvRowsMax)
            return ListingCSV.table(
                header: ["接收时间", "文件", "行号", "类别", "未通过原因", "原始内容（证件号码已遮蔽）"],
                rows: page.rows.map { [$0.receivedAt, $0.file, String($0.line), $0.kind, $0.reasons.joined(separator: "；"), $0.raw] })
        }
        switch result {
        case .success(let bytes):
            return Portal.csvDownload(
                bytes, name: "校验未通过-\(pages.node.configuration.code.digits)-\(ChinaTime.date(now).iso)\(ingest.map { "-第\($0)次入库" } ?? "").csv",
                fallback: "quarantine\(ingest.map { "-\($0)" } ?? "").csv")
        case .failure(let error): return failure(error, json: false)
        }
    }

    /// `GET /ops/bulletin?month=YYYY-MM&format=csv`: the month's bulletin, every authority, as a
    /// table for the office's own documents.
    func bulletinCSV(month: String?) async -> Response {
        let pages = self.pages
        let now = portal.clock()
        let result = await BlockingWork.page { () throws -> (String, [UInt8]) in
            let table = try pages.bulletinCSV(month: month, now: now)
            return (table.month, ListingCSV.table(header: table.header, rows: table.rows))
        }
        switch result {
        case .success(let (month, bytes)):
            return Portal.csvDownload(bytes, name: "定期通报-\(pages.node.configuration.code.digits)-\(month).csv", fallback: "bulletin-\(month).csv")
        case .failure(let error): return failure(error, json: false)
        }
    }

    /// `GET /ops/trend?to=YYYY-MM&months=N&format=csv`: the four rates a month a row.
    func trendCSV(to: String?, months: String?) async -> Response {
        let pages = self.pages
        let now = portal.clock()
        let result = await BlockingWork.page { () throws -> (String, [UInt8]) in
            let page = try pages.trend(reader: "", now: now, to: to, months: months)
            let table = pages.trendTable(page)
            return ("\(page.months[0].month)至\(page.to)", ListingCSV.table(header: table.header, rows: table.rows))
        }
        switch result {
        case .success(let (span, bytes)):
            return Portal.csvDownload(bytes, name: "四率走势-\(pages.node.configuration.code.digits)-\(span).csv", fallback: "rates-trend.csv")
        case .failure(let error): return failure(error, json: false)
        }
    }

    /// `GET /ops/commitments?format=csv`: the commitments to follow up (of a region or an
    /// accepting unit if asked), for the office to send to the accepting units.
    func commitmentsCSV(region: String?, acceptor: String?) async -> Response {
        let pages = self.pages
        return await csvAnswer(name: "信用承诺待跟进", fallback: "commitments") { now in
            try pages.commitmentsCSV(now: now, region: region, acceptor: acceptor, limit: Portal.csvRowsMax)
        }
    }

    /// `GET /ops/integrity?format=csv`: the 政务诚信 ledger's cases, for the office's own 督办台账.
    func integrityCSV() async -> Response {
        let pages = self.pages
        return await csvAnswer(name: "政务诚信督办台账", fallback: "integrity") { now in try pages.integrityCSV(now: now) }
    }

    /// `GET /ops/feedback?month=YYYY-MM&format=csv`: a month's 联合奖惩执行反馈, for the monthly report.
    func feedbackCSV(month: String?) async -> Response {
        let pages = self.pages
        return await csvAnswer(name: "联合奖惩执行反馈", fallback: "feedback") { now in try pages.feedbackCSV(month: month, now: now) }
    }

    /// `GET /ops/lists?show=&region=&format=csv`: the subjects on a list in force and whether any
    /// unit has answered, as the 推送清单 sent to the units.
    func listsCSV(show: String?, region: String?) async -> Response {
        let pages = self.pages
        return await csvAnswer(name: "联合奖惩名单推送清单", fallback: "lists") { now in try pages.listsCSV(show: show, region: region, now: now) }
    }

    /// A table built off the event loops at the portal's time, answered as a CSV download named
    /// `name-NODE-DATE.csv` (ASCII `fallback-DATE.csv` for old browsers), or the error page.
    func csvAnswer(
        name: String, fallback: String, _ build: @escaping @Sendable (Date) throws -> (header: [String], rows: [[String]])
    ) async -> Response {
        let now = portal.clock()
        let result = await BlockingWork.page { () throws -> [UInt8] in
            let table = try build(now)
            return ListingCSV.table(header: table.header, rows: table.rows)
        }
        let day = ChinaTime.date(now).iso
        switch result {
        case .success(let bytes):
            return Portal.csvDownload(bytes, name: "\(name)-\(pages.node.configuration.code.digits)-\(day).csv", fallback: "\(fallback)-\(day).csv")
        case .failure(let error): return failure(error, json: false)
        }
    }

    /// The largest register the form takes.
    static let registerBytesMax = 32 << 20

    /// A status change refused, as the office reads it: what it means in Chinese, then the
    /// store's own words (the record, its state, the first possible day).
    static func explained(_ e: StatusChangeError) -> String {
        let meaning =
            switch e.code {
            case .unknownRecord: "没有这条记录。"
            case .outsideArea: "这条记录不在本节点辖区，需由其所在地的信用主管部门办理。"
            case .notApplicable: "这条记录当前的状态不允许这样办理（已撤销、已修复或公示期满的记录不能再修复或受理异议；没有处理中异议的记录无需办结或登记协查）。"
            case .alreadyAssisted: "这件异议已登记协查，办理时限已按需协查的期限计算。"
            case .repairTooEarly: "最短公示期未满，尚不能修复。"
            case .missingField, .badDate, .badBody: "填写的内容不完整或有误。"
            }
        return "\(meaning)（\(e.message)）"
    }

    /// `POST /ops/reconcile`: a register sent with the form (`multipart/form-data`: the file
    /// `register`, the fields `authority` and `kind`), compared and answered with the report on the
    /// same page; a register that cannot be read is answered with why, on the form, status 400.
    func reconcile(_ request: Request, reader: String) async -> Response {
        var request = request
        let json = FormValues(request.uri.query)["format"] == "json"
        let now = portal.clock()
        let pages = self.pages
        let node = portal.node
        let refuse = { (message: String, authority: String, kind: String?) async -> Response in
            switch await BlockingWork.page({ try pages.reconcile(reader: reader, now: now, authority: authority, kind: kind, error: message) }) {
            case .success(let page):
                return json ? Portal.json(page, status: .badRequest) : self.portal.html(page, template: "ops-reconcile", status: .badRequest)
            case .failure(let error): return self.failure(error, json: json)
            }
        }
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: Self.registerBytesMax) } catch {
            return await refuse("台账文件过大：最多 \(Self.registerBytesMax >> 20) MB，请分批核对。", "", nil)
        }
        guard let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(contentType:)),
            let form = MultipartForm(Array(body.readableBytesView), boundary: boundary)
        else { return await refuse("请用本页的表单上传台账文件（multipart/form-data）。", "", nil) }
        let authority = form.text("authority") ?? ""
        let kind = form.text("kind").flatMap { $0.isEmpty ? nil : $0 }
        guard let register = form["register"], !register.isEmpty else { return await refuse("请选择台账文件（CSV，UTF-8 或 GB18030）。", authority, kind) }
        // A register of many thousand rows is seconds of work: on the long-work pool, not one of the
        // page threads the portal's readers share.
        let result = await BlockingWork.run {
            let report = try RegisterReconciliation(node: node).run(register, authority: authority, kind: kind)
            return try pages.reconcile(reader: reader, now: now, authority: authority, kind: kind, report: report)
        }
        switch result {
        case .success(let page):
            return json ? Portal.json(page) : portal.html(page, template: "ops-reconcile", status: .ok)
        case .failure(let e as ReconciliationError): return await refuse(e.message, authority, kind)
        case .failure(let e as CatalogueError): return await refuse(e.message, authority, kind)
        case .failure(let error): return failure(error, json: json)
        }
    }

    /// `POST /ops/work/requests/ID/accept` (field `unit`) or `…/refuse` (field `reason`): the
    /// same decisions as `credit-node objection accept|refuse`, by the operator whose certificate
    /// (or the local caller) is in the audit trail; the form's token must match the page's cookie,
    /// so that no other site can make an operator's browser decide. Answered with a redirect to
    /// `/ops/work`, or the page with what to fix (400).
    func decide(_ request: Request, id: Int64, action: String, actor: AuditActor) async -> Response {
        let node = portal.node
        return await workForm(request, actor: actor, notFound: "第 \(id) 号申请已办理，或没有这份申请。") { form, now in
            switch action {
            case "accept":
                let unit = (form["unit"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !unit.isEmpty else { throw ObjectionRequestError(code: .invalid, message: "受理异议需填写受理单位。") }
                _ = try ObjectionDesk(node: node).accept(id: id, unit: unit, now: now, actor: actor)
            case "repair":
                let unit = (form["unit"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                let notice = (form["notice"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !unit.isEmpty, !notice.isEmpty else {
                    throw ObjectionRequestError(code: .invalid, message: "准予修复需填写决定单位和信用修复告知书文号。")
                }
                _ = try ObjectionDesk(node: node).grantRepair(id: id, unit: unit, notice: notice, now: now, actor: actor)
            case "refuse":
                let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !reason.isEmpty else { throw ObjectionRequestError(code: .invalid, message: "不予受理或不予修复需填写理由（会告知申请人）。") }
                try ObjectionDesk(node: node).refuse(id: id, reason: reason, now: now)
            default: throw ObjectionRequestError(code: .invalid, message: "未知的操作。")
            }
            node.logger.info(
                "request from the public decided on the operators' pages",
                metadata: ["request": "\(id)", "action": "\(action)", "by": "\(actor.description)"])
        }
    }

    /// `POST /ops/work/objections/ROW/close` (fields `outcome` — kept or corrected —, `reason`,
    /// `unit`): the unit's decision on an objection, as `credit-node objection close` enters it;
    /// the record's 异议处理中 mark is cleared everywhere with the next sync. A record withdrawn
    /// after its objection is withdrawn instead (`credit-node withdraw`, or the department's
    /// system), which ends its publicity.
    /// `POST /ops/work/objections/ROW/assist` (fields `reason` — which unit helps verify what —,
    /// `unit`): another unit must help verify (协查), as `credit-node objection assist` marks it;
    /// the time limit becomes the assisted one at every tier with the next sync.
    /// `ROW` is the record's row: its key may hold an ID number.
    func decideObjection(_ request: Request, row: Int64, action: StatusAction, actor: AuditActor) async -> Response {
        let node = portal.node
        return await workForm(request, actor: actor, notFound: "没有这条记录。") { form, now in
            var outcome: String?
            if action == .objectionClosed {
                outcome = form["outcome"] ?? ""
                guard OperationsPages.closingOutcomes.contains(where: { $0.value == outcome }) else {
                    throw ObjectionRequestError(code: .invalid, message: "请选择处理结果：维持或更正。")
                }
            }
            let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let unit = (form["unit"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty, !unit.isEmpty else {
                throw ObjectionRequestError(
                    code: .invalid,
                    message: action == .objectionClosed ? "办结异议需填写处理决定（核查结果）和作出决定的单位。" : "登记协查需填写协查单位和事项，以及登记的单位。")
            }
            guard let key = try node.store.recordKey(rowID: row) else { throw ObjectionRequestError(code: .notPending, message: "no record") }
            let change = StatusChange(action: action, date: ChinaTime.date(now), reason: reason, unit: unit, outcome: outcome)
            let report = try StatusDesk(node: node).enter(key: key, change, now: now, actor: actor)
            node.logger.info(
                action == .objectionClosed
                    ? "objection closed on the operators' pages" : "objection marked for assisted verification on the operators' pages",
                metadata: ["record": "\(row)", "outcome": "\(outcome ?? "-")", "seq": "\(report.seq)", "by": "\(actor.description)"])
        }
    }

    /// A form of `/ops/work`: `act` runs on a blocking thread with the form's fields and the
    /// portal's time; answered with a redirect to `/ops/work`, or the page with what to fix (400).
    /// The form's token must match the page's cookie, so that no other site can make an
    /// operator's browser decide.
    func workForm(
        _ request: Request, actor: AuditActor, notFound: String, act: @escaping @Sendable (FormValues, Date) throws -> Void
    ) async -> Response {
        let (now, reader, token, _) = formPost(request, actor: actor)
        let pages = self.pages
        let refuse = { (message: String) -> Response in
            guard let page = try? pages.work(reader: reader, now: now, csrf: token, error: message) else {
                return Response(
                    status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
            }
            var response = self.portal.html(page, template: "ops-work", status: .badRequest)
            response.headers[.setCookie] = CSRF.cookie(token)
            return response
        }
        let form: FormValues
        switch await changeForm(request) {
        case .success(let f): form = f
        case .failure(let refused): return refuse(refused.message)
        }
        let result = await BlockingWork.run { () throws -> Void in try act(form, now) }
        switch result {
        case .success: return Response(status: .seeOther, headers: [.location: "/ops/work"])
        case .failure(let e as ObjectionRequestError): return refuse(e.code == .notPending ? notFound : e.message)
        case .failure(let e as StatusChangeError): return refuse(Self.explained(e))
        case .failure(let error): return failure(error, json: false)
        }
    }

    static func name(_ reader: AuditActor) -> String {
        reader.role == "local" ? "本机操作员" : (reader.name ?? reader.role)
    }

    /// What answering an operator's form needs: the portal's time, the operator as the pages name
    /// them, the form's token (the browser's, or a new one) and whether JSON was asked for.
    func formPost(_ request: Request, actor: AuditActor) -> (now: Date, reader: String, token: String, json: Bool) {
        (portal.clock(), Self.name(actor), CSRF.token(in: request) ?? CSRF.newToken(), FormValues(request.uri.query)["format"] == "json")
    }

    /// A page holding forms that change something: built with the browser's token (or a new one),
    /// which is set as its cookie; each form repeats it (`changeForm` checks the two agree).
    func formPage(
        _ request: Request, template: String, build: @escaping @Sendable (Date, String) throws -> some Encodable & Sendable
    ) async -> Response {
        let token = CSRF.token(in: request) ?? CSRF.newToken()
        var response = await respond(request, template: template) { now in try build(now, token) }
        response.headers[.setCookie] = CSRF.cookie(token)
        return response
    }

    /// The answer to a form's POST: the page again (with the result or what to fix) as HTML or
    /// JSON, never cached, the token set again as its cookie; a page that cannot be built, a plain 500.
    func formAnswer(
        status: HTTPResponse.Status, template: String, json: Bool, token: String, _ build: () throws -> some Encodable & Sendable
    ) -> Response {
        guard let page = try? build() else {
            return Response(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "页面暂时无法显示，请稍后再试。")))
        }
        var response = json ? Portal.json(page, status: status) : portal.html(page, template: template, status: status)
        response.headers[.cacheControl] = "no-store"
        response.headers[.setCookie] = CSRF.cookie(token)
        return response
    }

    /// An operator's page that failed: its status and message (`Portal.refusal`) under the
    /// operators' own header and styles, or as JSON.
    struct ErrorPage: Sendable, Encodable {
        var head: OperationsPages.Head
        var status: Int
        var message: String
    }

    func failure(_ error: any Error, json: Bool, reader: String? = nil) -> Response {
        let (status, message) = portal.refusal(error)
        let page = ErrorPage(
            head: pages.head(title: PortalPages.errorTitle(Int(status.code)), reader: reader, now: portal.clock()), status: Int(status.code),
            message: message)
        var response = json ? Portal.json(page, status: status) : portal.html(page, template: "ops-error", status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// Builds the page off the event loops and answers with HTML or, with `?format=json`, JSON.
    func respond(_ request: Request, template: String, build: @escaping @Sendable (Date) throws -> some Encodable & Sendable) async -> Response {
        let json = FormValues(request.uri.query)["format"] == "json"
        let now = portal.clock()
        let portal = self.portal
        let result = await BlockingWork.page { () throws -> Portal.Rendered in
            let page = try build(now)
            return json ? Portal.jsonBody(page) : try portal.rendered(page, template: template, view: nil)
        }
        switch result {
        case .success(let r):
            return Response(status: .ok, headers: [.contentType: r.contentType, .cacheControl: "no-store"], body: .init(byteBuffer: r.body))
        case .failure(let error):
            return failure(error, json: json)
        }
    }
}
