import CreditDomain

/// Word lists for realistic Chinese sample data.
enum Names {
    static let surnames = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
        "邓", "曹",
    ]
    static let givenNames = [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "平", "刚", "桂英", "建国", "志强", "红", "玉兰", "斌",
        "鹏",
    ]
    static let givenCharacters = ["子", "文", "思", "雨", "浩", "欣", "宇", "嘉", "佳", "俊", "晓", "春", "海", "国", "建", "德", "梓", "涵", "博", "昊"]
    static let tradeNames = ["楚", "汉", "江", "鄂", "荆", "长", "东", "华", "新", "恒", "瑞", "丰", "盛", "鑫", "宏", "达"]
    static let tradeNames2 = ["源", "泰", "信", "诚", "兴", "昌", "和", "安", "顺", "通", "远", "德", "利", "祥", "辉", "宇"]
    static let industries = ["商贸", "建筑工程", "食品", "农业科技", "物流", "餐饮管理", "医药", "机械制造", "环保科技", "建材", "电子科技", "物业服务"]
    static let shopKinds = ["便利店", "小吃店", "五金店", "农资店", "理发店", "水果店", "副食店", "汽车修理部"]
    static let authorities: [(String, String)] = [
        ("市场监督管理局", "市监"), ("生态环境分局", "环"), ("应急管理局", "应急"), ("交通运输局", "交"), ("城市管理执法局", "城管"), ("卫生健康局", "卫"),
    ]
    static let documentWord = [
        "CF_": "罚", "XK_": "许", "QZ_": "强", "QR_": "确", "JL_": "奖", "CJ_": "裁", "JC_": "检", "SX_": "失信", "HMD_": "红", "PJ_": "评", "JF_": "积",
        "CN_": "诺", "DM_": "码",
    ]
    /// 联合奖惩执行反馈: the lists a unit acts on, the matters it handles, the measures it takes.
    static let feedbackSanctionLists = ["严重失信主体名单", "失信被执行人名单", "重大税收违法失信主体名单", "安全生产严重失信主体名单"]
    static let feedbackRewardLists = ["红名单", "A级纳税人名单", "守合同重信用企业名单"]
    static let feedbackMatters = ["政府采购资格审查", "招标投标资格审查", "财政资金项目申报", "评先评优", "行政许可审批", "国有土地使用权出让"]
    static let feedbackSanctions = ["限制参加政府采购活动", "取消财政资金支持资格", "不予评先评优", "列为重点监管对象，提高检查频次", "依法从严审核行政许可"]
    static let feedbackIncentives = ["行政许可容缺受理", "优先安排财政资金支持", "减少检查频次", "评先评优优先推荐"]
    static let genericPhrases = ["依法办理", "按规定执行", "详见决定书", "已告知当事人", "依据有关规定认定"]

    static let text: [String: [String]] = [
        "WFXW": ["销售过期食品", "未按规定公示营业执照", "超标排放大气污染物", "未取得许可从事经营活动", "安全生产责任制落实不到位", "虚假宣传"],
        "SY": ["经查，当事人于检查当日在经营场所销售超过保质期的食品，违反了《中华人民共和国食品安全法》的规定。", "经查，当事人未在经营场所醒目位置悬挂营业执照。", "经监测，当事人排放口废气浓度超过国家排放标准。"],
        "YJ": ["《中华人民共和国食品安全法》第一百二十四条", "《中华人民共和国大气污染防治法》第九十九条", "《中华人民共和国安全生产法》第九十四条", "《中华人民共和国广告法》第五十五条"],
        "XKWS": ["准予行政许可决定书", "行政许可决定书"],
        "XKZS": ["食品经营许可证", "道路运输经营许可证", "排污许可证", "卫生许可证"],
        "XK_NR": ["准予从事食品销售经营活动", "准予从事道路普通货物运输", "准予排放大气污染物"],
        "CF_NR": ["警告并处罚款", "责令改正，并处罚款", "没收违法所得，并处罚款", "给予警告"],
        "QZ_NR": ["查封经营场所", "扣押涉案物品"],
        "QR_NR": ["予以确认"],
        "JL_NR": ["给予通报表扬", "颁发荣誉证书"],
        "CJ_NR": ["争议林地使用权归申请人所有"],
        "QZ_SY": ["涉嫌违法经营，需防止证据损毁"],
        "QZ_YJ": ["《中华人民共和国行政强制法》第九条"],
        "QX": ["30日", "60日", "至整改完毕"],
        "CNSX": ["食品经营许可告知承诺", "信用修复承诺", "证明事项告知承诺"],
        "CNNR": ["本单位承诺所提交材料真实有效，如有虚假愿承担相应法律责任。"],
        "CNNR_自然人": ["本人承诺所提交材料真实有效，如有虚假愿承担相应法律责任。"],
        "PJLY": ["市场监管", "生态环境", "交通运输", "建筑市场"],
        "CLQK": ["当场责令整改", "无需处理", "移交立案查处"],
        "QRSX": ["农村土地承包经营权确认", "建设工程竣工验收备案"],
        "CJSX": ["林地权属争议裁决", "土地使用权争议裁决"],
        "JCSX": ["食品经营者监督检查", "安全生产监督检查", "排污单位监督检查"],
    ]

    /// A list a subject may be put on (严重失信主体名单 `SX_`, 红名单 `HMD_`), for the subjects it
    /// applies to, with what its entries say: 列入原因, 认定依据 and the measures taken.
    struct ListName: Sendable {
        var name: String
        /// Who puts subjects on it (`makers`, or one of `authorities` by name); nil: any authority.
        var maker: String? = nil
        /// The subject categories (行政相对人类别) the list takes.
        var categories: Set<String>
        var reasons: [String]
        var bases: [String]
        var measures: [String]
    }

    static let everyone: Set<String> = ["法人及非法人组织", "个体工商户", "自然人"]
    static let lists: [String: [ListName]] = [
        "SX_": [
            ListName(
                name: "失信被执行人名单", maker: "人民法院", categories: everyone,
                reasons: ["有履行能力而拒不履行生效法律文书确定义务", "以伪造证据、暴力、威胁等方法妨碍、抗拒执行"],
                bases: ["《最高人民法院关于公布失信被执行人名单信息的若干规定》"], measures: ["限制高消费；限制参与政府采购；限制获得政府补贴"]),
            ListName(
                name: "重大税收违法失信主体名单", maker: "税务局", categories: everyone, reasons: ["虚开增值税专用发票", "逃避追缴欠缴的税款"],
                bases: ["《重大税收违法失信主体信息公布管理办法》"], measures: ["依法实施联合惩戒", "限制参与政府采购；限制获得政府补贴"]),
            ListName(
                name: "市场监督管理严重违法失信名单", maker: "市场监督管理局", categories: ["法人及非法人组织", "个体工商户"],
                reasons: ["提交虚假材料取得市场主体登记", "存在严重违法失信行为"], bases: ["《市场监督管理严重违法失信名单管理办法》"],
                measures: ["依法实施联合惩戒"]),
        ],
        "HMD_": [
            ListName(
                name: "纳税信用A级纳税人名单", maker: "税务局", categories: ["法人及非法人组织"], reasons: ["连续三年纳税信用评价为A级"], bases: [],
                measures: ["优先办理行政审批；减少日常检查频次"]),
            ListName(
                name: "守合同重信用企业名单", maker: "市场监督管理局", categories: ["法人及非法人组织"], reasons: ["连续五年守合同重信用"], bases: [],
                measures: ["优先办理行政审批；减少日常检查频次"]),
            ListName(
                name: "诚信典型名单", categories: everyone, reasons: ["获评年度诚信建设典型"], bases: [], measures: ["在公共服务中给予便利"]),
        ],
    ]

    /// The bodies that keep lists and decide nothing else here: name after the county's prefix
    /// (`{}` stands for it), abbreviation in document numbers.
    static let makers: [(key: String, name: String, abbreviation: String)] = [
        ("人民法院", "{}人民法院", "法"), ("税务局", "国家税务总局{}税务局", "税"),
    ]

    /// A penalty's case: what was done, the facts found and the law applied, by the authority
    /// (`authorities`' names) that decides such cases.
    struct PenaltyCase: Sendable {
        var violation: String
        var facts: String
        var basis: String
    }

    static let penaltyCases: [String: [PenaltyCase]] = [
        "市场监督管理局": [
            PenaltyCase(
                violation: "销售过期食品", facts: "经查，当事人于检查当日在经营场所销售超过保质期的食品，违反了《中华人民共和国食品安全法》的规定。",
                basis: "《中华人民共和国食品安全法》第一百二十四条"),
            PenaltyCase(violation: "未按规定公示营业执照", facts: "经查，当事人未在经营场所醒目位置悬挂营业执照。", basis: "《中华人民共和国市场主体登记管理条例》"),
            PenaltyCase(violation: "虚假宣传", facts: "经查，当事人在经营场所及网络店铺发布的广告含有虚假内容。", basis: "《中华人民共和国广告法》第五十五条"),
        ],
        "生态环境分局": [
            PenaltyCase(violation: "超标排放大气污染物", facts: "经监测，当事人排放口废气浓度超过国家排放标准。", basis: "《中华人民共和国大气污染防治法》第九十九条"),
            PenaltyCase(violation: "未取得排污许可证排放污染物", facts: "经查，当事人未取得排污许可证即排放污染物。", basis: "《排污许可管理条例》"),
        ],
        "应急管理局": [
            PenaltyCase(violation: "安全生产责任制落实不到位", facts: "经查，当事人未建立健全全员安全生产责任制。", basis: "《中华人民共和国安全生产法》第九十四条"),
            PenaltyCase(violation: "未按规定进行安全生产教育和培训", facts: "经查，当事人未对新上岗从业人员进行安全生产教育和培训。", basis: "《中华人民共和国安全生产法》"),
        ],
        "交通运输局": [
            PenaltyCase(
                violation: "未取得道路运输经营许可从事经营", facts: "经查，当事人未取得道路运输经营许可，擅自从事道路普通货物运输经营。", basis: "《中华人民共和国道路运输条例》"),
            PenaltyCase(violation: "车辆超限运输", facts: "经检测，当事人车辆车货总质量超过规定限值。", basis: "《公路安全保护条例》"),
        ],
        "城市管理执法局": [
            PenaltyCase(violation: "擅自设置户外广告", facts: "经查，当事人未经批准在临街建筑外墙设置户外广告设施。", basis: "《城市市容和环境卫生管理条例》"),
            PenaltyCase(violation: "占道经营", facts: "经查，当事人在城市道路上擅自摆摊设点占道经营。", basis: "《城市市容和环境卫生管理条例》"),
        ],
        "卫生健康局": [
            PenaltyCase(violation: "未取得卫生许可证从事公共场所经营", facts: "经查，当事人未取得公共场所卫生许可证即从事经营活动。", basis: "《公共场所卫生管理条例》"),
            PenaltyCase(violation: "从业人员未取得健康合格证明", facts: "经查，当事人安排未取得有效健康合格证明的人员从事直接为顾客服务的工作。", basis: "《公共场所卫生管理条例》"),
        ],
    ]

    /// A licence each authority grants: its certificate (许可证书名称) and what it allows (许可内容).
    static let licences: [String: [(certificate: String, content: String)]] = [
        "市场监督管理局": [("食品经营许可证", "准予从事食品销售经营活动")],
        "生态环境分局": [("排污许可证", "准予排放大气污染物")],
        "应急管理局": [("危险化学品经营许可证", "准予经营危险化学品（不带储存设施）")],
        "交通运输局": [("道路运输经营许可证", "准予从事道路普通货物运输")],
        "城市管理执法局": [("户外广告设施设置许可", "准予设置户外广告设施")],
        "卫生健康局": [("公共场所卫生许可证", "准予从事公共场所经营")],
    ]

    /// 处罚内容 for each 处罚类别.
    static let penaltyContent: [String: String] = [
        "警告": "给予警告", "通报批评": "通报批评", "罚款": "处以罚款", "没收违法所得": "没收违法所得", "没收非法财物": "没收非法财物", "暂扣许可证件": "暂扣许可证件",
        "降低资质等级": "降低资质等级", "吊销许可证件": "吊销许可证件", "限制开展生产经营活动": "限制开展生产经营活动", "责令停产停业": "责令停产停业", "责令关闭": "责令关闭",
        "限制从业": "限制从业", "行政拘留": "行政拘留", "其他": "责令改正",
    ]

    /// 处罚类别 that only a natural person can be given, and what an organisation is given
    /// instead (with the same publicity and repair periods in the catalogue).
    static let personOnlyPenalties = ["行政拘留": "罚款", "限制从业": "限制开展生产经营活动"]

    /// 处罚类别 that only an organisation or a business can be given (a grade it holds, premises to
    /// close), and what a natural person is given instead (with the same publicity and repair
    /// periods in the catalogue).
    static let organisationOnlyPenalties = ["降低资质等级": "限制从业", "责令关闭": "限制从业"]

    /// 信用承诺: the matter (承诺事项) and the type of commitment it is (承诺类型).
    /// A 信易+ scenario (seed 004 item 12: 围绕减免费用、享受优惠、免交押金、降低门槛、绿色通道、享受
    /// 便利等方面扩大“信易+”应用场景).
    struct Incentive: Sendable {
        var name: String
        var category: String
        var beneficiaries: String
        var content: String
        var howTo: String
    }

    static let incentives: [Incentive] = [
        Incentive(
            name: "信易贷", category: "享受优惠", beneficiaries: "纳税信用A级企业、红名单主体",
            content: "合作银行对守信主体提供信用贷款，利率较同类产品下浮，无需抵押担保。", howTo: "通过融资信用服务平台在线申请，授权查询信用信息。"),
        Incentive(
            name: "信易租", category: "免交押金", beneficiaries: "信用评价A级的企业和个体工商户",
            content: "租用政府投资的标准厂房、公共租赁房免交押金。", howTo: "签订租赁合同时出示信用报告。"),
        Incentive(
            name: "信易批", category: "绿色通道", beneficiaries: "近三年无失信记录的市场主体",
            content: "行政审批开设绿色通道，容缺受理、优先办理。", howTo: "在政务服务中心综合窗口提出申请，签署信用承诺书。"),
        Incentive(
            name: "信易游", category: "减免费用", beneficiaries: "信用户、守信个人",
            content: "本地国有景区门票减免，凭信用户证书享受优惠。", howTo: "入园时出示信用户证书或信用报告。"),
        Incentive(
            name: "信易行", category: "享受便利", beneficiaries: "信用良好的个人",
            content: "公共自行车免押金骑行，停车场错峰停车优惠。", howTo: "在公共出行小程序中授权查询信用信息后开通。"),
        Incentive(
            name: "信易购", category: "降低门槛", beneficiaries: "政府采购中信用良好的供应商",
            content: "政府采购中降低或免收履约保证金。", howTo: "投标时提交信用报告，由采购人核验。"),
        Incentive(
            name: "信易医", category: "享受便利", beneficiaries: "信用户、守信个人",
            content: "县人民医院先诊疗后付费，免交住院押金。", howTo: "就诊时出示身份证，由医院核验信用状况。"),
        Incentive(
            name: "信易缴", category: "减免费用", beneficiaries: "连续三年纳税信用A级企业",
            content: "水电气报装减免部分费用，欠费停供前给予宽限期。", howTo: "向供水、供电、供气单位提出申请。"),
    ]

    /// A 信用动态 article (seed 000 (九)2: 信用制度建设、专项检查专项整治、媒体曝光不良事件处理、宣传
    /// 教育活动、行业诚信典范……工作动态宣传稿件): its column, title and paragraphs; `{县}` is the
    /// county's name. A 政策法规 article carries a 文号; the publisher is the row's authority.
    struct Article: Sendable {
        var column: String
        var title: String
        var paragraphs: [String]
    }

    static let articles: [Article] = [
        Article(
            column: "工作动态", title: "{县}召开社会信用体系建设联席会议",
            paragraphs: [
                "近日，{县}社会信用体系建设联席会议召开，通报了今年以来双公示信息归集、联合奖惩和信用修复工作进展。",
                "会议要求，各成员单位要在作出行政决定后七个工作日内报送双公示信息，按时率、准确率纳入年度考核；对迟报、漏报的单位按月通报。",
                "会议还部署了信用承诺履约核查和“信易+”守信激励场景建设，年内激励场景要达到15个以上。",
            ]),
        Article(
            column: "工作动态", title: "{县}开展食品安全领域失信问题专项整治",
            paragraphs: [
                "为期三个月的食品安全领域失信问题专项整治日前启动，重点检查超范围经营、销售过期食品和虚假宣传等行为。",
                "检查中发现的违法行为依法处罚，处罚决定在七个工作日内在信用网站公示；情节严重的，依法列入严重失信主体名单，实施联合惩戒。",
            ]),
        Article(
            column: "政策法规", title: "关于印发《{县}信用修复工作实施细则》的通知",
            paragraphs: [
                "各乡镇人民政府，县直各有关单位：",
                "现将《{县}信用修复工作实施细则》印发给你们，请认真贯彻执行。",
                "细则明确：轻微失信信息在当事人履行法定责任和义务后即可申请修复；一般失信信息最短公示期三个月，严重失信信息最短公示期一年，期满后方可申请。修复申请可在信用网站记录页面在线提交，信用主管部门在规定时限内审核。",
            ]),
        Article(
            column: "政策法规", title: "{县}守信联合激励和失信联合惩戒办法",
            paragraphs: [
                "第一条 为褒扬诚信、惩戒失信，营造“守信者处处受益、失信者处处受限”的社会氛围，制定本办法。",
                "第二条 各部门在行政审批、政府采购、评优评先等工作中，应查询信用主体的信用记录，对红名单主体给予绿色通道等激励，对严重失信主体依法采取限制措施。",
                "第三条 实施联合奖惩的单位应在实施后报送执行反馈。",
            ]),
        Article(
            column: "通知公告", title: "关于开展年度信用承诺履约情况核查的公告",
            paragraphs: [
                "根据信用承诺制度要求，受理单位将于本月对承诺日期满90日的信用承诺开展履约核查。",
                "作出承诺的企业和个人请按要求准备相关材料；未履行承诺的，将依法记入信用记录。",
            ]),
        Article(
            column: "通知公告", title: "信用网站系统维护公告",
            paragraphs: [
                "为提升服务质量，本站将于本周六凌晨进行系统维护，维护期间信用查询和报告核验暂停服务。",
                "由此带来的不便，敬请谅解。",
            ]),
        Article(
            column: "诚信宣传", title: "“诚信经营示范点”创建活动走进{县}农贸市场",
            paragraphs: [
                "在“3·15消费者权益日”到来之际，{县}在各农贸市场开展“诚信经营示范点”创建活动，向经营户发放诚信经营倡议书。",
                "市场内的经营户公开作出信用承诺：明码标价、不缺斤短两、不销售过期食品。",
                "活动现场还设立了信用查询咨询台，为群众演示如何在信用网站查询企业信用信息和下载信用报告。",
            ]),
        Article(
            column: "诚信宣传", title: "{县}评选表彰一批诚信典型",
            paragraphs: [
                "经各乡镇推荐、公示，{县}评选出诚信经营企业10家、信用户示范户20户。",
                "入选的企业和个人列入红名单，在办理相关事项时享受“信易+”守信激励。",
            ]),
    ]

    static let commitments: [(matter: String, type: String)] = [
        ("食品经营许可告知承诺", "审批替代型"), ("信用修复承诺", "信用修复型"), ("证明事项告知承诺", "证明事项型"), ("容缺受理承诺", "容缺受理型"),
    ]

    /// 行政奖励's names (奖励名称) by the subject category they are given to.
    static let rewards: [String: [String]] = [
        "法人及非法人组织": ["安全生产先进单位", "守合同重信用企业"], "个体工商户": ["诚信经营示范户"], "自然人": ["见义勇为先进个人", "优秀志愿者"],
    ]

    static let counties = [
        "420102": ("江岸", "武汉市江岸区"), "420106": ("武昌", "武汉市武昌区"), "420115": ("江夏", "武汉市江夏区"), "420116": ("黄陂", "武汉市黄陂区"),
        "420281": ("大冶", "大冶市"), "420583": ("枝江", "枝江市"), "429004": ("仙桃", "仙桃市"), "110105": ("朝阳", "北京市朝阳区"),
        // The demo topology's other areas.
        "420000": ("湖北", "湖北省"), "420100": ("武汉", "武汉市"), "420103": ("江汉", "武汉市江汉区"), "420600": ("襄阳", "襄阳市"),
        "420602": ("襄城", "襄阳市襄城区"), "420606": ("樊城", "襄阳市樊城区"),
    ]

    /// An authority's name at the node's level: a province's and a city's bodies are named as
    /// theirs are (生态环境厅, 卫生健康委员会 …), a county's as in `authorities`.
    static func authorityName(_ key: String, node: DivisionCode) -> String {
        let level: [String: String]
        switch node.tier {
        case .province:
            level = ["生态环境分局": "生态环境厅", "应急管理局": "应急管理厅", "交通运输局": "交通运输厅", "城市管理执法局": "住房和城乡建设厅", "卫生健康局": "卫生健康委员会"]
        case .city:
            level = ["生态环境分局": "生态环境局", "卫生健康局": "卫生健康委员会"]
        default:
            level = [:]
        }
        return countyAuthorityPrefix(node) + (level[key] ?? key)
    }

    /// A list keeper's name at the node's level (`makers`): the court of the level (高级, 中级,
    /// 基层), the tax bureau of the area.
    static func makerName(_ template: String, node: DivisionCode) -> String {
        let court = node.tier == .province ? "高级人民法院" : node.tier == .city ? "中级人民法院" : "人民法院"
        return template.replacingOccurrences(of: "人民法院", with: court).replacingOccurrences(of: "{}", with: countyAuthorityPrefix(node))
    }

    /// A short place name for the node's county, used as the first part of company names.
    static func countyName(_ node: DivisionCode) -> String { counties[node.countyPrefix]?.0 ?? "楚天" }

    /// The county's full name, used for its government bodies.
    static func countyAuthorityPrefix(_ node: DivisionCode) -> String { counties[node.countyPrefix]?.1 ?? "\(node.countyPrefix)县" }

    /// 信用户等级 for a household's 信用积分 in the sample data: 五星 from 110, 四星 from 100,
    /// 三星 from 90, 信用户 from 80, none below.
    static func creditHouseholdLevel(points: Int) -> String {
        switch points {
        case 110...: "五星信用户"
        case 100..<110: "四星信用户"
        case 90..<100: "三星信用户"
        case 80..<90: "信用户"
        default: ""
        }
    }
}
