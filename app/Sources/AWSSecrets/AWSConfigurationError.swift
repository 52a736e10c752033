/// An AWS setting in the environment that cannot be used: the one line the command prints.
package struct AWSConfigurationError: Error, CustomStringConvertible {
    /// What is wrong and which variable to look at.
    package let description: String

    init(_ description: String) {
        self.description = description
    }
}
