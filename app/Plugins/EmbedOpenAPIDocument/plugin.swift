import PackagePlugin

/// Compiles `openapi.yaml` at the package root into the service, so the binary serves its own contract
/// with no resource bundle to ship beside it.
@main
struct EmbedOpenAPIDocument: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument+Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding openapi.yaml",
                executable: try context.tool(named: "EmbedTextFile").url,
                arguments: [input.path(), output.path(), "OpenAPIDocument", "yaml"],
                inputFiles: [input],
                outputFiles: [output]
            )
        ]
    }
}
