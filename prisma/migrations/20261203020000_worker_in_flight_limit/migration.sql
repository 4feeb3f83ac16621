-- AlterTable
ALTER TABLE "worker_status" ADD COLUMN "in_flight_limit" INTEGER;
