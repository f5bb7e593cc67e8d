// Compiles the institute's stylesheet (govuk-frontend, rebranded) into src/web/static/build.
import { buildStylesheet } from '../src/web/stylesheet.ts';

const path = await buildStylesheet({ force: true });
console.log(`clave: hoja de estilos compilada en ${path}`);
