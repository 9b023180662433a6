// Files embedded in the binary with `import x from "..." with { type: "file" | "text" }`.
declare module "swagger-ui-dist/*" {
  const path: string;
  export default path;
}
declare module "*.sql" {
  const text: string;
  export default text;
}
