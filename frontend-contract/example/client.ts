// A minimal typed client of the hall API, built only on the generated typed documents:
// logs in, lists service items, reads the hall's board snapshot and follows its live events.
//
//   npm run example                      # against http://127.0.0.1:8000/graphql as director
//   HALL_URL=https://hall.example/graphql HALL_USERNAME=screen HALL_PASSWORD=... npm run example
//
// Optional: HALL_ITEMS (items to list, default 10), HALL_EVENTS (stop after this many board
// events; default: follow until Ctrl-C).
import { print } from "graphql";
import { createClient, type Client, type FormattedExecutionResult } from "graphql-ws";
import WebSocket from "ws";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";

import {
  HallBoardDocument,
  LoginDocument,
  MeDocument,
  QueueBoardDocument,
  ServiceItemsDocument,
} from "../generated/graphql.js";

const url = process.env.HALL_URL ?? "http://127.0.0.1:8000/graphql";
const username = process.env.HALL_USERNAME ?? "director";
const password = process.env.HALL_PASSWORD ?? "hall-demo-2026";
const itemCount = Number(process.env.HALL_ITEMS ?? "10");
const maxEvents = process.env.HALL_EVENTS === undefined ? Infinity : Number(process.env.HALL_EVENTS);
if (!(Number.isInteger(itemCount) && itemCount >= 0 && itemCount <= 100)) throw new Error("HALL_ITEMS: 0-100");
if (!(maxEvents === Infinity || (Number.isInteger(maxEvents) && maxEvents > 0))) {
  throw new Error("HALL_EVENTS: a positive whole number");
}

interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: ReadonlyArray<{ message: string; extensions?: { code?: string } }>;
}

/** POSTs one typed operation; variables and result are typed by the document. */
async function request<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<TData> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as GraphQLResponse<TData>;
  if (body.errors !== undefined && body.errors.length > 0) {
    const codes = body.errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`);
    throw new Error(`GraphQL errors: ${codes.join("; ")}`);
  }
  if (body.data == null) throw new Error(`HTTP ${response.status} without data`);
  return body.data;
}

/** Starts one typed subscription over graphql-ws; each result is typed by the document. */
function subscribe<TData, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): AsyncIterableIterator<FormattedExecutionResult<TData, unknown>> {
  return client.iterate<TData>({ query: print(document), variables });
}

async function login(): Promise<string> {
  const { authLogin } = await request(LoginDocument, { input: { username, password } });
  // The result is a union: narrowing on __typename gives each member's fields.
  if (authLogin.__typename !== "AuthLoginSuccess") {
    throw new Error(`login refused: ${authLogin.code} ${authLogin.message}`);
  }
  const { user } = authLogin;
  console.log(`logged in as ${user.username} (${user.displayName}, ${user.role}) until ${authLogin.expiresAt}`);
  return authLogin.token;
}

async function listItems(token: string): Promise<void> {
  const { serviceItems } = await request(ServiceItemsDocument, { first: itemCount }, token);
  console.log(`service items: ${serviceItems.totalCount} in all, the first ${serviceItems.edges.length}:`);
  for (const { node } of serviceItems.edges) {
    console.log(`  ${node.code}  ${node.name}  (${node.kind}, ${node.promisedLimit} ${node.dayUnit})`);
  }
}

async function followBoard(token: string): Promise<void> {
  const { me } = await request(MeDocument, {}, token);
  const hall = me?.hall;
  if (hall == null) throw new Error(`${username} is not bound to a hall: no board to follow`);
  const { queueBoard } = await request(QueueBoardDocument, { hallId: hall.id }, token);
  const waiting = queueBoard.lanes.reduce((sum, lane) => sum + lane.waiting, 0);
  console.log(
    `board of ${hall.code} ${hall.name} on ${queueBoard.businessDay}: seq ${queueBoard.seq}, ` +
      `${waiting} waiting in ${queueBoard.lanes.length} lanes, ` +
      `${queueBoard.windows.filter((w) => w.window.state === "OPEN").length} windows open`,
  );

  const ws = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: 0,
  });
  const events = subscribe(ws, HallBoardDocument, { hallId: hall.id, afterSeq: queueBoard.seq });
  let seen = 0;
  try {
    console.log(`following hallBoard after seq ${queueBoard.seq}${maxEvents === Infinity ? " (Ctrl-C stops)" : ""}`);
    for await (const result of events) {
      // RESYNC_REQUIRED (the missed events were trimmed) arrives here too: reload queueBoard
      // and subscribe again from its seq; this example just stops.
      if (result.errors !== undefined) throw new Error(`subscription errors: ${JSON.stringify(result.errors)}`);
      const event = result.data?.hallBoard;
      if (event === undefined) continue;
      console.log(`  #${event.seq} ${event.kind} ${JSON.stringify(event.data)}`);
      seen += 1;
      if (seen >= maxEvents) break;
    }
  } finally {
    await ws.dispose();
  }
}

async function main(): Promise<void> {
  const token = await login();
  await listItems(token);
  await followBoard(token);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
