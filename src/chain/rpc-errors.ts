// What a caller logs when the node fails. viem writes the endpoint's URL into its messages (minus
// basic-auth credentials only), and a hosted node's URL usually holds its API key in the path
// (…/v3/<key>). A viem error is handed on as one error whose message is viem's whole message (what
// failed, the decoded revert, the call) with the URL cut to its origin, and without the chain of
// causes, whose messages quote the URL again (and which loggers print).
import { BaseError } from 'viem';

/** `error` as safe to log: a viem error rewritten without `rpcUrl` past its origin, anything else as it is. */
export function withoutEndpoint(error: unknown, rpcUrl: string): unknown {
  if (!(error instanceof BaseError)) return error;
  const safe = new Error(`chain: ${hideUrl(error.message, rpcUrl)}`);
  safe.name = error.name;
  return safe;
}

function hideUrl(message: string, rpcUrl: string): string {
  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch {
    return message.replaceAll(rpcUrl, '(the endpoint)');
  }
  const origin = `${url.origin}/…`;
  url.username = '';
  url.password = '';
  // viem quotes the URL as given, or with its credentials taken out when it has any.
  return message.replaceAll(rpcUrl, origin).replaceAll(url.toString(), origin);
}
