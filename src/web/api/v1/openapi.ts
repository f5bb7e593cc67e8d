/** OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json. */
const error = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema: object) => ({ description, ...json(schema) });
const failure = (description: string) => answer(description, error);

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Clave API', version: '1.0.0', description: 'Generar, recuperar y desbloquear la clave personal. Errores con el catálogo CLV-0xx. Idioma por Accept-Language (es por defecto).' },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: {
        resetToken: { type: 'http', scheme: 'bearer', description: 'resetToken de /tokens/redeem' },
        session: { type: 'http', scheme: 'bearer', description: 'session de POST /sessions' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', examples: ['CLV-001'] },
                message: { type: 'string' },
                cause: { type: 'string' },
                action: { type: 'string' },
                fields: { type: 'array', items: { type: 'string' } },
                violations: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
        Question: {
          type: 'object',
          properties: { id: { type: 'string' }, text: { type: 'string' }, options: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' } } } } },
        },
        Entry: { type: 'object', properties: { code: { type: 'string' }, title: { type: 'string' }, cause: { type: 'string' }, action: { type: 'string' } } },
      },
    },
    paths: {
      '/captcha': { post: { summary: 'Nuevo desafío ALTCHA', responses: { 200: answer('Desafío', { type: 'object', properties: { challenge: { type: 'object' } } }) } } },
      '/flows': {
        post: {
          summary: 'Empieza un trámite con cédula y CAPTCHA',
          requestBody: json({ type: 'object', required: ['kind', 'cedula', 'captcha'], properties: { kind: { enum: ['generate', 'recover', 'unlock'] }, cedula: { type: 'string', pattern: '^[0-9]{10}$' }, captcha: { type: 'string', description: 'Carga útil ALTCHA en base64' } } }),
          responses: {
            201: answer('Trámite creado', { type: 'object', properties: { flowId: { type: 'string', format: 'uuid' }, kind: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, step: { const: 'identity' }, questions: { type: 'array', items: { $ref: '#/components/schemas/Question' } } } }),
            400: failure('CLV-001, CLV-002 o CLV-003'),
            422: failure('Cuerpo incompleto'),
            429: failure('CLV-004: demasiadas solicitudes desde esta conexión o para esta cédula (con Retry-After)'),
          },
        },
      },
      '/flows/{flowId}/identity': {
        post: {
          summary: 'Datos de identidad; la misma respuesta sea cual sea el resultado',
          parameters: [{ name: 'flowId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: json({ type: 'object', properties: { birthDay: { type: 'integer', minimum: 1, maximum: 31 }, birthMonth: { type: 'integer', minimum: 1, maximum: 12 }, answers: { type: 'object', additionalProperties: { type: 'string' } } } }),
          responses: { 202: answer('Revise su correo registrado', { type: 'object', properties: { step: { const: 'check_email' } } }), 410: failure('CLV-050'), 422: failure('Datos incompletos') },
        },
      },
      '/tokens/redeem': {
        post: {
          summary: 'Usa el enlace del correo (una sola vez)',
          requestBody: json({ type: 'object', required: ['token'], properties: { token: { type: 'string' } } }),
          responses: {
            200: answer('Enlace usado', { type: 'object', properties: { flowId: { type: 'string' }, step: { enum: ['set_password', 'unlocked'] }, resetToken: { type: 'string' }, hasClave: { type: 'boolean', description: 'unlocked: false when the account has no clave yet (offer Generar clave)' } } }),
            400: failure('CLV-022'),
            409: failure('CLV-021'),
            410: failure('CLV-020'),
          },
        },
      },
      '/flows/{flowId}/password': {
        post: {
          summary: 'Nueva clave',
          security: [{ resetToken: [] }],
          parameters: [{ name: 'flowId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: json({ type: 'object', required: ['password', 'confirmation'], properties: { password: { type: 'string' }, confirmation: { type: 'string' } } }),
          responses: { 200: answer('Clave guardada', { type: 'object', properties: { step: { const: 'done' } } }), 410: failure('CLV-050'), 422: failure('CLV-030 … CLV-035 en error.violations'), 429: failure('CLV-004: demasiados envíos en esta sesión (CLAVE_SAVES_PER_SESSION, con Retry-After)') },
        },
      },
      '/flows/{flowId}/password/check': {
        post: {
          summary: 'Medidor en vivo: lo que la política dice de la clave mientras se escribe (ni la confirmación ni la reutilización); no guarda nada',
          security: [{ resetToken: [] }],
          parameters: [{ name: 'flowId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: json({ type: 'object', required: ['password'], properties: { password: { type: 'string' } } }),
          responses: {
            200: answer('Veredicto', {
              type: 'object',
              properties: {
                score: { type: ['integer', 'null'], minimum: 0, maximum: 4, description: 'zxcvbn 0–4; menos de 3 es CLV-033; null si es demasiado larga para puntuar' },
                violations: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
              },
            }),
            410: failure('CLV-050'),
            429: failure('CLV-004: demasiadas comprobaciones en esta sesión o desde esta conexión (CLAVE_CHECKS_PER_SESSION, CLAVE_CHECKS_PER_IP; con Retry-After)'),
            503: failure('CLV-090: el comprobador está ocupado; el medidor no muestra nada y la clave se comprueba al guardarla'),
          },
        },
      },
      '/sessions': {
        post: {
          summary: 'Ingresar con cédula y clave',
          requestBody: json({ type: 'object', required: ['cedula', 'password'], properties: { cedula: { type: 'string' }, password: { type: 'string' } } }),
          responses: {
            201: answer('Sesión iniciada', { type: 'object', properties: { session: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }),
            401: failure('CLV-041: cédula o clave incorrectas (la misma respuesta para una cédula desconocida)'),
            423: failure('CLV-040: cuenta bloqueada'),
            429: failure('CLV-043: demasiados intentos desde esta conexión (con Retry-After)'),
          },
        },
      },
      '/sessions/current': {
        delete: {
          summary: 'Salir: termina la sesión del token (terminar una ya terminada no es un error)',
          security: [{ session: [] }],
          responses: { 204: { description: 'Sesión terminada' }, 401: failure('Falta el token de sesión o no tiene la forma de uno') },
        },
      },
      '/errors/{code}': { get: { summary: 'Una entrada del catálogo', parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: answer('Entrada', { $ref: '#/components/schemas/Entry' }), 404: failure('Código desconocido') } } },
      '/errors': { get: { summary: 'Busca en el catálogo por código o texto', parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { 200: answer('Entradas', { type: 'object', properties: { entries: { type: 'array', items: { $ref: '#/components/schemas/Entry' } } } }) } } },
    },
  };
}
