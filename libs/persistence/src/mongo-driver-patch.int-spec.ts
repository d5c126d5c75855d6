import { createRequire } from 'node:module';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { ConfigModule, loadConfig } from '@xero-sync/config';
import { eventually, infra, testMongoUri } from '@xero-sync/testing';
import { PersistenceModule } from './persistence.module';

// The MongoDB driver's internals this spec reaches into (patches/mongodb+*.patch changes one of them).
interface DriverConnection {
  socket: { destroy(): void; cork(): void; destroyed: boolean };
  closed: boolean;
  command(ns: unknown, cmd: Record<string, unknown>, options: Record<string, unknown>): Promise<unknown>;
  destroy(): void;
}
interface DriverMonitor {
  connection: DriverConnection | null;
  connectOptions: Record<string, unknown>;
  monitorId?: { isExecutionInProgress: boolean; lastExecutionEnded: number };
  requestCheck(): void;
}
const driverRequire = createRequire(require.resolve('mongodb'));
const { connect } = driverRequire('./cmap/connect') as { connect(options: unknown): Promise<DriverConnection> };
const { ns } = driverRequire('./utils') as { ns(namespace: string): unknown };

type Settled = { state: 'pending' } | { state: 'fulfilled' } | { state: 'rejected'; reason: Error };
/** How `promise` stands after `ms`: a write the driver never settles shows up as 'pending' instead of a test timeout. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<Settled>((resolve) => (timer = setTimeout(() => resolve({ state: 'pending' }), ms)));
  const settled = promise.then(
    (): Settled => ({ state: 'fulfilled' }),
    (reason: Error): Settled => ({ state: 'rejected', reason }),
  );
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * When a server goes away, Node destroys the socket at once but emits its 'close' event a turn later. A write in
 * between returns false and the socket then emits neither 'drain' nor 'error': the driver (mongodb 7.8/7.9) waited
 * for 'drain' forever. When the waiter was the monitor's heartbeat, the server stayed "Unknown" for good after a
 * FerretDB restart and every operation failed with the old "connection N closed" (the syncer-outages e2e, on CI).
 * patches/mongodb+7.8.0.patch makes such a write fail; these tests fail without it.
 */
describe('MongoDB driver: writes on a connection that is going away', () => {
  let nest: INestApplication;
  let connection: Connection;

  beforeAll(async () => {
    const config = loadConfig({}, { MONGODB_URI: testMongoUri(), TOKEN_ENCRYPTION_KEY: '3c'.repeat(32) });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot()],
    }).compile();
    nest = moduleRef.createNestApplication();
    await nest.init();
    connection = nest.get<Connection>(getConnectionToken());
  });

  afterAll(async () => {
    await connection.dropDatabase().catch(() => undefined);
    await nest.close();
  });

  function monitor(): DriverMonitor {
    const topology = (connection.getClient() as unknown as { topology: { s: { servers: Map<string, unknown> } } })
      .topology;
    const [server] = [...topology.s.servers.values()] as { monitor: DriverMonitor }[];
    return server.monitor;
  }

  /** A connection of its own, opened with the options the driver's monitor uses. */
  async function driverConnection(): Promise<DriverConnection> {
    return connect(monitor().connectOptions);
  }

  it('a command on a socket destroyed before its close event ran fails instead of waiting forever', async () => {
    const conn = await driverConnection();
    try {
      conn.socket.destroy();
      expect(conn.closed).toBe(false); // the hazard: the driver has not seen the close yet
      const outcome = await settledWithin(conn.command(ns('admin.$cmd'), { ping: 1 }, {}), 5000);
      expect(outcome).toMatchObject({ state: 'rejected' });
      expect((outcome as { reason: Error }).reason.message).toMatch(/closed/);
    } finally {
      conn.destroy();
    }
  });

  it('a command waiting for the socket to drain fails when the connection closes', async () => {
    const conn = await driverConnection();
    try {
      // Corked, a write larger than the socket's high-water mark returns false and waits for 'drain'.
      conn.socket.cork();
      const command = conn.command(ns('admin.$cmd'), { ping: 1, comment: 'x'.repeat(64 * 1024) }, {});
      await new Promise((r) => setImmediate(r));
      conn.socket.destroy();
      const outcome = await settledWithin(command, 5000);
      expect(outcome).toMatchObject({ state: 'rejected' });
      expect((outcome as { reason: Error }).reason.message).toMatch(/closed/);
    } finally {
      conn.destroy();
    }
  });

  it("the app's connection serves operations again after a heartbeat hit a dying socket and FerretDB restarted", async () => {
    const probes = connection.collection('driver_probe');
    await probes.insertOne({ at: new Date() });
    // Wait until the monitor is idle, has its connection, and may run a heartbeat right away when asked.
    const m = await eventually(async () => {
      const current = monitor();
      const interval = current.monitorId;
      return current.connection &&
        interval &&
        !interval.isExecutionInProgress &&
        performance.now() - interval.lastExecutionEnded > 1000
        ? current
        : undefined;
    }, 20000);
    // The heartbeat starts on the monitor's socket after it was destroyed and before its close event: the race a
    // server restart opens.
    m.connection!.socket.destroy();
    m.requestCheck();
    expect(m.monitorId?.isExecutionInProgress).toBe(true);

    infra('stop-ferretdb');
    try {
      await expect(probes.insertOne({ at: new Date() })).rejects.toThrow();
    } finally {
      infra('start-ferretdb');
    }
    // Without the patch the heartbeat never ends, the server stays Unknown and this times out.
    const count = await eventually(
      async () => (await probes.insertOne({ at: new Date() })) && probes.countDocuments(),
      30000,
      250,
    );
    expect(count).toBeGreaterThanOrEqual(2);
  });
});
