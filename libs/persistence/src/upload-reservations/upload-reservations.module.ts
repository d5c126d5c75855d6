import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { UploadReservationRepository } from './upload-reservation.repository';
import { UploadReservation, UploadReservationSchema } from './upload-reservation.schema';

/** The `upload_reservations` collection (fleet-wide NDJSON upload limits per store). Needs PersistenceModule.forRoot. */
@Module({
  imports: [MongooseModule.forFeature([{ name: UploadReservation.name, schema: UploadReservationSchema }])],
  providers: [UploadReservationRepository],
  exports: [UploadReservationRepository],
})
export class UploadReservationsModule {}
