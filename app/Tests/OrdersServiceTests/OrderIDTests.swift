import Foundation
import Testing

@testable import OrdersCore

/// Order ids in the API: exactly the texts the UUID grammar allows (8-4-4-4-12 hex digits), in lower case.
/// Foundation's `UUID(uuidString:)` agrees on those, and accepts more: it reads a space, a sign or a dash
/// among the digits as the end of a number, so such texts used to name some other order.
@Suite("Order ids")
struct OrderIDTests {
    @Test("a UUID in any case comes back in lower case")
    func lowers() {
        #expect(OrderID.canonical("6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13") == "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13")
        #expect(OrderID.canonical("6F1C2A4E-9B7D-4C3E-8A21-5D0E7F6B9C13") == "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13")
        #expect(
            OrderID.canonical(String("00000000-0000-0000-0000-00000000000f")) == "00000000-0000-0000-0000-00000000000f"
        )
    }

    @Test(
        "anything else is not an id",
        arguments: [
            "", "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c1", "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c134",
            "6f1c2a4e9b7d-4c3e-8a21-5d0e7f6b9c13-", "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c1g",
            "{f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c1}", "6f1c2a4e_9b7d_4c3e_8a21_5d0e7f6b9c13",
            "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9cé", "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c\u{0}",
            " 6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c1", "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13 ",
            // Foundation's parser (`sscanf`) reads each of these as some other UUID.
            " f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13", "-f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13",
            "6f1c-a4e-9b7d-4c3e-8a21-5d0e7f6b9c13", "+f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13",
        ]
    )
    func refuses(_ text: String) {
        #expect(OrderID.canonical(text) == nil)
    }

    @Test("agrees with the UUID grammar on 20,000 random texts near the form, and with Foundation on every id")
    func agreesWithTheGrammar() throws {
        let grammar = try Regex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEFgG-{} é+")
        let template = Array("6f1c2a4e-9b7d-4c3e-8a21-5d0e7f6b9c13")
        var disagreements: [String] = []
        var accepted = 0
        for _ in 0..<20_000 {
            var characters = template
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                characters[Int.random(in: 0..<characters.count, using: &generator)] =
                    alphabet.randomElement(using: &generator)!
            }
            if Int.random(in: 0..<10, using: &generator) == 0 { characters.removeLast() }
            let text = String(characters)
            let expected = text.wholeMatch(of: grammar) == nil ? nil : text.lowercased()
            let canonical = OrderID.canonical(text)
            if canonical != expected { disagreements.append(text) }
            if let canonical {
                accepted += 1
                if UUID(uuidString: text)?.uuidString.lowercased() != canonical { disagreements.append(text) }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, such as \(disagreements.prefix(3))")
        #expect(accepted > 1_000 && accepted < 19_000, "the sample needs both kinds: \(accepted) accepted")
    }
}
