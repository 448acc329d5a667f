import Testing

@testable import CreditDomain

@Suite("Division codes")
struct DivisionCodeTests {
    @Test(arguments: [
        ("420000000000", Tier.province), ("420100000000", .city), ("420102000000", .county), ("420102002000", .township),
        ("420102002201", .village), ("429004000000", .county), ("110105", .county),
    ])
    func tierFollowsFromTheCode(code: String, tier: Tier) throws {
        #expect(try DivisionCode(code).tier == tier)
    }

    @Test func sixDigitCodesArePadded() throws {
        #expect(try DivisionCode("420102").digits == "420102000000")
    }

    @Test func containment() throws {
        let county = try DivisionCode("420102000000")
        #expect(county.contains(try DivisionCode("420102002201")))
        #expect(county.contains(county))
        #expect(!county.contains(try DivisionCode("420103002201")))
        #expect(!(try DivisionCode("420102002201")).contains(county))
        #expect(try DivisionCode("420000000000").contains(try DivisionCode("429004001001")))
    }

    @Test func ancestorsByTruncation() throws {
        let village = try DivisionCode("420102002201")
        #expect(village.ancestors.map(\.digits) == ["420000000000", "420100000000", "420102000000", "420102002000"])
        #expect(village.parent?.digits == "420102002000")
        #expect(try DivisionCode("420000000000").ancestors.isEmpty)
    }

    @Test func provinceAdministeredCountiesSkipTheCity() throws {
        let xiantao = try DivisionCode("429004000000")
        #expect(xiantao.isProvinceAdministered)
        #expect(xiantao.parent?.digits == "420000000000")
        #expect(try DivisionCode("429004100201").ancestors.map(\.digits) == ["420000000000", "429004000000", "429004100000"])
    }

    @Test(arguments: [
        ("42010200220", IdentifierError.Rule.length), ("4201020022011", .length), ("42010200220A", .alphabet),
        ("000000000000", .province), ("990000000000", .province), ("420000002000", .hierarchy), ("420102000201", .hierarchy),
        ("420002000000", .hierarchy),
    ])
    func refused(code: String, rule: IdentifierError.Rule) {
        #expect(throws: IdentifierError.self) { try DivisionCode(code) }
        do { _ = try DivisionCode(code) } catch { #expect(error.rule == rule) }
    }
}

@Suite("Unified social credit codes")
struct SocialCreditCodeTests {
    static let valid = ["91110000600037341L", "91420684MA4927PJ7B", "121200004013590816", "92340602MA2PBMEM24", "9144030071526726XG", "91620105L015101280"]

    @Test(arguments: valid)
    func documentedExamplesAreValid(code: String) throws {
        #expect(try SocialCreditCode(code).text == code)
    }

    @Test func lowercaseAndSpacesAreNormalised() throws {
        #expect(try SocialCreditCode(" 91420684ma4927pj7b ").text == "91420684MA4927PJ7B")
    }

    func rule(_ code: String) -> IdentifierError.Rule? {
        do {
            _ = try SocialCreditCode(code)
            return nil
        } catch { return error.rule }
    }

    @Test(arguments: valid)
    func everyWrongCheckCharacterIsRefused(code: String) {
        // Any other character of the alphabet in position 18 fails the main check.
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" where c != code.last! {
            #expect(rule(String(code.dropLast()) + String(c)) == .checkCharacter)
        }
    }

    @Test(arguments: valid)
    func wrongOrganisationCheckIsRefused(code: String) {
        var chars = Array(code.utf8)
        let right = chars[16]
        for wrong in Array("0123456789X".utf8) where wrong != right {
            chars[16] = wrong
            chars[17] = SocialCreditCode.checkCharacter(Array(chars[0..<17]))
            #expect(rule(String(decoding: chars, as: UTF8.self)) == .organisationCheck)
        }
    }

    @Test(arguments: ["I", "O", "S", "V", "Z"])
    func forbiddenLettersAreRefused(letter: String) {
        let code = "91420684MA4927PJ7B"
        let bad = String(code.prefix(9)) + letter + String(code.dropFirst(10))
        #expect(rule(bad) == .forbiddenLetter)
        #expect(rule(String(code.dropLast()) + letter) == .forbiddenLetter)
    }

    @Test(arguments: ["91420684MA4927PJ7", "91420684MA4927PJ7BB", "", "9142"])
    func wrongLengthIsRefused(code: String) {
        #expect(rule(code) == .length)
    }

    @Test(arguments: 2..<8)
    func lettersInTheDivisionPartAreRefused(position: Int) {
        var chars = Array("91420684MA4927PJ7B")
        chars[position] = "A"
        #expect(rule(String(chars)) == .divisionDigits)
    }

    @Test func otherSymbolsAreRefused() {
        #expect(rule("91420684MA4927PJ7#") == .alphabet)
        #expect(rule("91420684MA4927PJ7中") == .alphabet)
    }

    /// Naming the character that would pass lets a clerk turn a mistyped code into another valid one.
    @Test func errorsNeverNameTheCharacterThatWouldPass() {
        do {
            _ = try SocialCreditCode("91110000600037341A")
            Issue.record("accepted a wrong check character")
        } catch {
            #expect(error.rule == .checkCharacter)
            #expect(!error.message.contains("L"))
            #expect(error.message.contains("does not match"))
        }
        do {
            _ = try SocialCreditCode("91110000600037342L")
            Issue.record("accepted a wrong organisation check")
        } catch {
            #expect(error.rule == .organisationCheck)
            #expect(!error.message.contains("'1'") && !error.message.contains("should be"))
        }
        #expect(throws: Never.self) { try SocialCreditCode("91110000600037341L") }
    }
}

@Suite("Resident ID numbers")
struct ResidentIDTests {
    @Test(arguments: ["11010519491231002X", "440524188001010014"])
    func documentedExamplesAreValid(id: String) throws {
        #expect(try ResidentID(id).text == id)
    }

    @Test func lowercaseXIsStoredUppercase() throws {
        #expect(try ResidentID("11010519491231002x").text == "11010519491231002X")
    }

    @Test func aBirthDateInTheFutureIsRefused() throws {
        // 2030-01-01, with a correct check character.
        var first17 = Array("11010520300101001".utf8)
        let future = String(decoding: first17 + [ResidentID.checkCharacter(first17)], as: UTF8.self)
        let today = CivilDate(year: 2026, month: 12, day: 3)!
        do {
            _ = try ResidentID(future, today: today)
            Issue.record("accepted a birth date in 2030")
        } catch {
            #expect(error.rule == .birthDate)
            #expect(!error.message.contains(future))
        }
        // Born today is accepted; without a today the shape alone is checked (stored records).
        first17 = Array("11010520261203001".utf8)
        #expect(throws: Never.self) { try ResidentID(String(decoding: first17 + [ResidentID.checkCharacter(first17)], as: UTF8.self), today: today) }
        #expect(throws: Never.self) { try ResidentID(future) }
    }

    @Test func birthDateAndSex() throws {
        let id = try ResidentID("11010519491231002X")
        #expect(id.birthDate == CivilDate(year: 1949, month: 12, day: 31))
        #expect(!id.isMale)
        #expect(try ResidentID("440524188001010014").isMale)
    }

    func rule(_ id: String) -> IdentifierError.Rule? {
        do {
            _ = try ResidentID(id)
            return nil
        } catch { return error.rule }
    }

    @Test func refusals() {
        #expect(rule("110105194912310021") == .checkCharacter)
        #expect(rule("11010519491231002") == .length)
        #expect(rule("110105491231002") == .length)
        #expect(rule("1101051949123100XX") == .alphabet)
        #expect(rule("00010519491231002X") == .addressCode)
        // Month 13 and 30 February, with their check characters made right.
        for body in ["11010519491331002", "11010519490230002"] {
            let check = Character(Unicode.Scalar(ResidentID.checkCharacter(Array(body.utf8))))
            #expect(rule(body + String(check)) == .birthDate)
        }
    }

    @Test func errorsNeverRepeatTheNumber() {
        for bad in ["110105194912310021", "11010519491331002X"] {
            do {
                _ = try ResidentID(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(!error.message.contains("19491231"))
                #expect(!error.message.contains(bad))
            }
        }
    }

    @Test func masking() throws {
        #expect(try ResidentID("11010519491231002X").masked == "110105********002X")
        #expect(Masking.mask("E12345678") == "E1*****78")
        #expect(!Masking.mask("E12345678").contains("345"))
        let text = "张三,自然人,11010519491231002X,99911010519491231002X1"
        let masked = Masking.maskResidentIDs(in: text)
        #expect(masked == "张三,自然人,110105********002X,99911010519491231002X1")
    }

    /// A code shown on its own: an ID number masked whole, an organisation's code whole even
    /// when all its characters are digits (which free text's rule would take for an ID number).
    @Test func aCodeShownOnItsOwn() throws {
        let company = "914201028120883438"
        #expect((try? SocialCreditCode(company)) != nil && (try? ResidentID(company)) == nil)
        #expect(Masking.shown(company) == company && Masking.maskResidentIDs(in: company) == "914201********3438")
        #expect(Masking.shown("11010519491231002X") == "110105********002X")
        // Not a valid credit code (its check character is wrong): masked, as free text would be.
        #expect(Masking.shown("914201028120883439") == "914201********3439")
        #expect(Masking.shown("当事人420102199001011234") == "当事人420102********1234")
    }

    /// ID numbers written into free text (违法事实, 备注, a quarantined row): Chinese characters end
    /// a number as punctuation does.
    @Test(arguments: [
        ("身份证号420102199001011234的", "身份证号420102********1234的"),
        ("经查，当事人王某（身份证号：42010219900101123X）无证经营。", "经查，当事人王某（身份证号：420102********123X）无证经营。"),
        ("CF_SY:当事人420102199001011234销售过期食品", "CF_SY:当事人420102********1234销售过期食品"),
        ("身份证号42010219900101123x号", "身份证号420102********123x号"),
        ("编号AB420102199001011234", "编号AB420102199001011234"),  // part of a longer code: not a number of its own
        ("订单号1420102199001011234", "订单号1420102199001011234"),  // 19 digits
        ("罚款5000元", "罚款5000元"),
    ])
    func residentIDsInFreeTextAreMasked(text: String, expected: String) {
        #expect(Masking.maskResidentIDs(in: text) == expected)
    }
}
