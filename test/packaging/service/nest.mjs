// A service written from @gatehouse/nestjs's README in plain JavaScript (decorators applied by hand):
// GatehouseModule.forRoot({ routes: true }), configured only by GATEHOUSE_*.
import 'reflect-metadata';
import { AdminOnly, CurrentAuth, GatehouseModule, Public } from '@gatehouse/nestjs';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

class ApiController {
  health() {
    return { status: 'ok' };
  }
  whoami(auth) {
    return { subject: auth.subject, via: 'nest' };
  }
  status() {
    return { ok: true };
  }
}
const decorate = (decorators, name) =>
  Reflect.decorate(
    decorators,
    ApiController.prototype,
    name,
    Object.getOwnPropertyDescriptor(ApiController.prototype, name),
  );
decorate([Public(), Get('health')], 'health');
CurrentAuth()(ApiController.prototype, 'whoami', 0);
decorate([Get('v1/whoami')], 'whoami');
decorate([AdminOnly(), Get('v1/admin/status')], 'status');
Reflect.decorate([Controller()], ApiController);

class AppModule {}
Reflect.decorate(
  [Module({ imports: [GatehouseModule.forRoot({ routes: true })], controllers: [ApiController] })],
  AppModule,
);

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(0, '127.0.0.1');
console.log(JSON.stringify({ port: app.getHttpServer().address().port }));
