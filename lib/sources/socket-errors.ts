/**
 * POSIX socket errors that end an accepted connection from the path's side. EMQX reports them as reason atoms (its
 * `{sock_closed, Reason}` keeps the raw atom, lifecycle-formats.md §3.3), aedes as the Node error code of
 * `clientError` (§5.2); both name the same few, in lower case once slugged.
 */
export const SOCKET_ERRORS: ReadonlyArray<readonly [name: string, meaning: string]> = [
  ["econnreset", "The socket was reset by the peer (POSIX ECONNRESET)"],
  ["etimedout", "The socket timed out (POSIX ETIMEDOUT)"],
  ["epipe", "Write to a closed socket (POSIX EPIPE)"],
  ["ehostunreach", "Host unreachable (POSIX EHOSTUNREACH)"],
  ["enetunreach", "Network unreachable (POSIX ENETUNREACH)"],
  ["econnaborted", "The connection was aborted on this host (POSIX ECONNABORTED)"],
  ["enotconn", "The socket was no longer connected (POSIX ENOTCONN)"],
  ["ehostdown", "The peer's host is down (POSIX EHOSTDOWN)"],
  ["enetdown", "The network interface went down (POSIX ENETDOWN)"],
  ["enetreset", "The network dropped the connection on reset (POSIX ENETRESET)"],
];
