/// The service's roles in PostgreSQL: a group role that owns the service's schema and everything in it,
/// and two login roles, `<group>_a` and `<group>_b`, that are members of it and take turns.
///
/// A rotation sets a new password on the login role not in use and only then names it in the service's
/// secret. Tasks started before keep logging in with the other one, whose password has not changed, and
/// tasks started after read the new one: every task holds a valid credential throughout. Both logins act
/// as the group (`SET role` is part of their settings), so the tables they create belong to it and either
/// can use them.
package struct ServiceRoles: Sendable, Equatable {
    /// The group role, which is also the name of its schema.
    package let group: String

    /// The longest group name: PostgreSQL's 63-byte identifiers, less the `_a` suffix.
    package static let maximumGroupLength = 61

    /// The roles of group `group`.
    package init(group: String) {
        self.group = group
    }

    /// The roles `login` belongs to: `<group>_a` and `<group>_b` name their group; any other name is the
    /// group itself, logging in as the service did before the two login roles existed.
    package init(login: String) {
        if let group = Self.group(ofAlternate: login) {
            self.group = group
        } else {
            self.group = login
        }
    }

    /// The two login roles.
    package var logins: [String] { [group + "_a", group + "_b"] }

    /// The login role a rotation moves to from `current`: the other of the two, or the first when the
    /// service still logs in as the group.
    package func next(after current: String) -> String {
        current == logins[0] ? logins[1] : logins[0]
    }

    /// Whether `name` is a role name the bootstrap may use as is: lower-case letters, digits and
    /// underscores, starting with a letter or underscore, at most 63 bytes.
    package static func isValidName(_ name: String) -> Bool {
        guard name.utf8.count <= 63, let first = name.utf8.first else { return false }
        let startsWell = (first >= 0x61 && first <= 0x7A) || first == 0x5F
        return startsWell
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    private static func group(ofAlternate login: String) -> String? {
        guard login.hasSuffix("_a") || login.hasSuffix("_b") else { return nil }
        let group = String(login.dropLast(2))
        return group.isEmpty ? nil : group
    }
}
