import type { FastifyInstance } from 'fastify';

const JOURNEYS = [
  { key: 'generate', href: '/clave/generar' },
  { key: 'recover', href: '/clave/recuperar' },
  { key: 'unlock', href: '/clave/desbloquear' },
  { key: 'login', href: '/ingresar' },
] as const;

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { salio?: string } }>('/', async (request, reply) => reply.page('home/home.njk', { journeys: JOURNEYS, signedOut: request.query.salio === '1' }));
}
