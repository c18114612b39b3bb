// Reading the served OpenAPI document in tests: a local `$ref` (`#/components/...`) followed to
// what it names, however many references deep.
export function resolverOf(spec: () => any): (node: any) => any {
  const resolve = (node: any): any =>
    typeof node?.$ref === 'string'
      ? resolve(
          node.$ref
            .slice(2)
            .split('/')
            .reduce((n: any, k: string) => n[k], spec()),
        )
      : node;
  return resolve;
}
