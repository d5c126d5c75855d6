export { UploadReservation, UploadReservationSchema } from './upload-reservation.schema';
export { UploadReservationRecord, UploadReservationRepository } from './upload-reservation.repository';
export { UploadReservationsModule } from './upload-reservations.module';
