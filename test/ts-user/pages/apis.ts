// The API map shared by the mini program and the H5 page.
export interface User {
  id: string;
  name: string;
}
export interface Apis {
  getUser: { params: { id: string }; result: User };
  scan: { result: { code: string } };
}
