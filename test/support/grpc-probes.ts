import { credentials, loadPackageDefinition, type ChannelCredentials, type Client, type GrpcObject, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

type HealthClient = Client & {
  Check(request: { service: string }, callback: (error: ServiceError | null, response?: { status: string }) => void): void;
};

/** grpc.health.v1 Check against a server; resolves with the status name or the error's code name. */
export async function healthStatus(address: string, service = '', creds: ChannelCredentials = credentials.createInsecure()): Promise<string> {
  const definition = loadSync('health.proto', { enums: String, includeDirs: [new URL('../../../node_modules/grpc-health-check/proto/health/v1', import.meta.url).pathname] });
  const loaded: GrpcObject = loadPackageDefinition(definition);
  const healthPackage = ((loaded.grpc as GrpcObject).health as GrpcObject).v1 as GrpcObject;
  const Health = healthPackage.Health as unknown as new (address: string, creds: ChannelCredentials) => HealthClient;
  const health = new Health(address, creds);
  try {
    return await new Promise<string>((resolve, reject) => {
      health.Check({ service }, (error, value) => {
        if (error || !value) reject(error ?? new Error('empty'));
        else resolve(value.status);
      });
    });
  } finally {
    health.close();
  }
}
