import ArgumentParser
import OrdersCore

/// `orders-service keys create`: a new key for one customer or an admin key, printed once.
struct CreateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a key and print it once: the token on standard output, a description on standard error."
    )

    @Option(help: "The customer the key may act for.")
    var customer: String?

    @Flag(help: "An operator key that reads every customer's orders.")
    var admin = false

    @Option(help: "A note for operators: who holds the key and what for.")
    var label: String = ""

    func validate() throws {
        guard (customer == nil) == admin else {
            throw ValidationError("give exactly one of --customer ID or --admin")
        }
        if let customer {
            guard (1...64).contains(customer.unicodeScalars.count),
                !customer.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw ValidationError("--customer must be 1 to 64 characters with no control characters")
            }
        }
        guard label.unicodeScalars.count <= 200 else { throw ValidationError("--label is at most 200 characters") }
    }

    func run() async throws {
        let generated = APIKey.generate()
        let record = APIKeyRecord(
            keyID: generated.keyID,
            secretDigest: generated.secretDigest,
            customerID: customer,
            label: label,
            createdAtMilliseconds: UTCTimestamp.nowMilliseconds()
        )
        try await withOpenStore { store in try await store.insertKey(record) }
        let scope = customer.map { "customer \($0)" } ?? "admin (all customers)"
        printError("created API key \(generated.keyID) for \(scope). It is shown once; store it now.")
        printOutput(generated.token + "\n")
    }
}
