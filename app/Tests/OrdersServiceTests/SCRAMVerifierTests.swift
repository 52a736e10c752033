import Testing

@testable import OrdersCore

/// The SCRAM-SHA-256 verifier the bootstrap sends in place of a password, against verifiers PostgreSQL
/// itself computed (`SET password_encryption = 'scram-sha-256'; CREATE ROLE ... PASSWORD '...'`, then
/// `pg_authid.rolpassword`): the same password, salt and iterations must give the same keys.
@Suite("SCRAM-SHA-256 verifiers")
struct SCRAMVerifierTests {
    /// Passwords and the verifiers PostgreSQL 15 stored for them.
    static let vectors: [(password: String, stored: String)] = [
        (
            "x",
            "SCRAM-SHA-256$4096:pByjLakbrhMyRCTMNbYyxQ==$Ba7Lic+mIncJ1V2pqwCA2w36CcBLsE6S4322X0AVxIA=:"
                + "RGdNOULNp0rvWtFu15qOVBOyftl58RkE4ldNLX7m1G8="
        ),
        (
            "9kQ-x_7.~Lm2Zr8VbN4tYcW1sDfGhJ0pA5eUiO3n",
            "SCRAM-SHA-256$4096:59PdnAbkuxJx46q0k+JguA==$vUwtCvAbBO8V7BCuk+23vTh+GCmwzsBgxs+7wL8X2qk=:"
                + "RQAst0GuE7t/jguG0WP/vIbeZ0OUHdE5iXs8xSAvG5o="
        ),
    ]

    @Test("the password with PostgreSQL's salt and iterations gives PostgreSQL's StoredKey and ServerKey")
    func matchesPostgreSQL() throws {
        for vector in Self.vectors {
            let stored = try #require(SCRAMVerifier(parsing: vector.stored))
            let computed = try SCRAMVerifier(
                password: vector.password,
                salt: stored.salt,
                iterations: stored.iterations
            )
            #expect(computed == stored, "\(vector.password)")
            #expect(computed.description == vector.stored)
        }
    }

    @Test("another password with the same salt gives other keys")
    func wrongPasswordDiffers() throws {
        let stored = try #require(SCRAMVerifier(parsing: Self.vectors[0].stored))
        let computed = try SCRAMVerifier(password: "y", salt: stored.salt, iterations: stored.iterations)
        #expect(computed.storedKey != stored.storedKey)
        #expect(computed.serverKey != stored.serverKey)
    }

    @Test("a new verifier has PostgreSQL's form: 4096 iterations, a fresh 16-byte salt, and no password in it")
    func newVerifier() throws {
        let password = "correct-horse-battery-staple-42"
        let first = try SCRAMVerifier(password: password)
        let second = try SCRAMVerifier(password: password)
        #expect(first.iterations == 4096)
        #expect(first.salt.count == 16)
        #expect(first.salt != second.salt, "each verifier draws its own salt")
        #expect(first.description.hasPrefix("SCRAM-SHA-256$4096:"))
        #expect(!first.description.contains(password))
        #expect(SCRAMVerifier(parsing: first.description) == first)
    }

    @Test("a password SASLprep would change is refused, not hashed differently from PostgreSQL")
    func refusesWhatSASLprepWouldChange() {
        for password in ["", "caf\u{E9}-password-123", "tab\there-password", String(repeating: "a", count: 1025)] {
            #expect(throws: SCRAMVerifier.UnsupportedPassword.self) { try SCRAMVerifier(password: password) }
        }
    }

    @Test("text that is not a verifier does not parse")
    func parsing() {
        for text in ["md5abc", "SCRAM-SHA-256$4096:c2FsdA==$x:y", "SCRAM-SHA-256$0:c2FsdA==$a:b", "plain"] {
            #expect(SCRAMVerifier(parsing: text) == nil, "\(text)")
        }
    }
}

@Suite("The service's database roles")
struct ServiceRolesTests {
    @Test("a login names its group; a rotation alternates between the two logins")
    func alternation() {
        let roles = ServiceRoles(login: "orders_service_a")
        #expect(roles.group == "orders_service")
        #expect(roles.logins == ["orders_service_a", "orders_service_b"])
        #expect(roles.next(after: "orders_service_a") == "orders_service_b")
        #expect(roles.next(after: "orders_service_b") == "orders_service_a")
        #expect(ServiceRoles(login: "orders_service_b") == roles)
    }

    @Test("the one-role layout: the group logs in itself, and a rotation moves it to the first login")
    func oneRoleLayout() {
        let roles = ServiceRoles(login: "orders_service")
        #expect(roles.group == "orders_service")
        #expect(roles.next(after: "orders_service") == "orders_service_a")
    }

    @Test("names PostgreSQL would need quoted are refused")
    func names() {
        #expect(ServiceRoles.isValidName("orders_service_a"))
        for name in ["", "Orders", "1orders", "orders-service", "orders service", String(repeating: "a", count: 64)] {
            #expect(!ServiceRoles.isValidName(name), "\(name)")
        }
    }
}
