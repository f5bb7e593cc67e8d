// Ecuadorian-looking names for the synthetic demo registry. None is a real person.
export const FEMALE_NAMES = [
  'María', 'Ana', 'Rosa', 'Carmen', 'Gloria', 'Blanca', 'Mercedes', 'Lucía', 'Paola', 'Verónica',
  'Daniela', 'Mónica', 'Jéssica', 'Gabriela', 'Fernanda', 'Cristina', 'Tatiana', 'Maritza', 'Narcisa', 'Piedad',
] as const;

export const MALE_NAMES = [
  'José', 'Luis', 'Carlos', 'Juan', 'Jorge', 'Segundo', 'Miguel', 'Diego', 'Andrés', 'Fernando',
  'Patricio', 'Édgar', 'Washington', 'Byron', 'Wilson', 'Ángel', 'Darwin', 'Stalin', 'Galo', 'Fausto',
] as const;

export const SURNAMES = [
  'Zambrano', 'Vera', 'Mendoza', 'Cedeño', 'Macías', 'García', 'Rodríguez', 'Sánchez', 'Mora', 'Morales',
  'Castillo', 'Chávez', 'Torres', 'Pérez', 'López', 'Ortiz', 'Intriago', 'Quishpe', 'Guamán', 'Jaramillo',
  'Cevallos', 'Andrade', 'Villacís', 'Paredes', 'Loor', 'Quiñónez', 'Tapia', 'Salazar', 'Benítez', 'Chiluisa',
  'Toapanta', 'Cañar', 'Vélez', 'Alvarado', 'Espinoza', 'Pazmiño', 'Yépez', 'Ruiz', 'Calderón', 'Naranjo',
] as const;

const EMPLOYER_STEMS = [
  'Comercial Andina', 'Distribuidora del Pacífico', 'Agrícola San Gabriel', 'Textiles Imbabura',
  'Camaronera El Oro', 'Constructora Chimborazo', 'Farmacias Cotopaxi', 'Transportes Manabí',
  'Bananera Los Ríos', 'Servicios Galápagos', 'Florícola Cayambe', 'Metalmecánica Tungurahua',
  'Café de Loja', 'Cacaotera Esmeraldas', 'Hotelera Cuenca', 'Plásticos del Guayas',
  'Lácteos Carchi', 'Maderera Pastaza', 'Seguridad Integral Austro', 'Panificadora Quitumbe',
] as const;

const EMPLOYER_FORMS = ['S.A.', 'Cía. Ltda.', 'C.A.'] as const;

export interface DemoEmployer {
  ruc: string;
  name: string;
}

/** 60 employers with 13-digit RUCs (province, 9 for private companies, 001 establishment). */
export const EMPLOYERS: readonly DemoEmployer[] = EMPLOYER_STEMS.flatMap((stem, i) =>
  EMPLOYER_FORMS.map((form, j) => {
    const n = i * EMPLOYER_FORMS.length + j;
    const province = String((n % 24) + 1).padStart(2, '0');
    return { ruc: `${province}9${String(1_000_000 + n * 7_919).slice(-6)}${n % 10}001`, name: `${stem} ${form}` };
  }),
);
