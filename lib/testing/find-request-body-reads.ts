import path from "node:path";
import ts from "typescript";

/** What a Request's body can be read through; `clone` because a clone's body is the same stream. */
const BODY_MEMBERS = new Set(["json", "text", "formData", "arrayBuffer", "blob", "bytes", "body", "clone"]);
const REQUEST_TYPES = new Set(["Request", "NextRequest"]);

export type RequestBodyRead = { file: string; line: number; member: string };

/**
 * Every place the program reachable from `rootFiles` touches a request's body, found by the type checker rather than
 * by the variable's name: `request.json()`, `req.clone().formData()`, `new Response(request.body).text()`,
 * `const { body } = request`, whatever the variable is called. `file` is relative to `projectDir`.
 */
export function findRequestBodyReads(projectDir: string, rootFiles: string[]): RequestBodyRead[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(projectDir, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("tsconfig.json could not be read");
  const program = ts.createProgram(rootFiles, { ...config.options, noEmit: true, incremental: false });
  const checker = program.getTypeChecker();
  const isRequest = (node: ts.Node) => REQUEST_TYPES.has(checker.typeToString(checker.getTypeAtLocation(node)));
  const reads: RequestBodyRead[] = [];

  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || sourceFile.fileName.includes("/node_modules/")) continue;
    const record = (node: ts.Node, member: string) =>
      reads.push({
        file: path.relative(projectDir, sourceFile.fileName),
        line: sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1,
        member,
      });
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && BODY_MEMBERS.has(node.name.text) && isRequest(node.expression)) {
        record(node, node.name.text);
      } else if (
        ts.isElementAccessExpression(node) &&
        ts.isStringLiteralLike(node.argumentExpression) &&
        BODY_MEMBERS.has(node.argumentExpression.text) &&
        isRequest(node.expression)
      ) {
        record(node, node.argumentExpression.text);
      } else if (ts.isObjectBindingPattern(node) && isRequest(node)) {
        for (const element of node.elements) {
          const name = (element.propertyName ?? element.name).getText(sourceFile);
          if (BODY_MEMBERS.has(name)) record(element, name);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return reads;
}
