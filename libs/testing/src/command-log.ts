import mongoose, { Connection, Model, Schema } from 'mongoose';
import { testMongoUri } from './infra.helpers';

/**
 * A model on a fresh test database, its indexes built, whose connection lists the name of every command sent from
 * then on: for int-specs that count a repository's commands.
 */
export async function commandLoggingModel<T>(
  name: string,
  schema: Schema<T>,
): Promise<{ conn: Connection; model: Model<T>; commands: string[] }> {
  const conn = await mongoose.createConnection(testMongoUri(), { monitorCommands: true }).asPromise();
  const model = conn.model<T>(name, schema);
  await model.init();
  const commands: string[] = [];
  conn.getClient().on('commandStarted', (e) => commands.push(e.commandName));
  return { conn, model, commands };
}
