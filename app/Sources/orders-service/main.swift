import OrdersService

// Everything lives in the OrdersService library, where the tests can reach it.
await OrdersServiceCommand.runFromCommandLine()
