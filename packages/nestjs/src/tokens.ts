/** Injection token of the core `Gatehouse` pipeline the guard uses. */
export const GATEHOUSE = Symbol.for('@gatehouse/nestjs:gatehouse');
